"""Catalog pages and the JSON API: built once per catalog state, answered with 304 when current.

What a page depends on (the catalog and settings, through web/generation.py's token; the
language; the URL; htmx or not; the stylesheet and script versions; the templates of this boot)
is hashed into its ETag *without any SQL*. A phone revalidating gets an empty 304; any other
visitor gets the bytes rendered and compressed the first time (web/page_cache.py). Staff pages
carry a per-session form token, so they are rendered each time (still with the ETag).
"""
import hashlib
import secrets
from datetime import UTC, datetime
from functools import wraps

from flask import Response, make_response, request, session
from werkzeug.http import http_date

from ..core.i18n import select_locale
from ..core.kept import app_store
from ..web import generation, page_cache
from ..web.assets import css_bundle, static_url
from ..web.htmx import is_htmx
from ..web.request_cost import exempt_from_limits

# Flask-Compress appends ":gzip" / ":br" to our strong ETag; a client sends that form back.
_ENCODING_SUFFIXES = (":gzip", ":br", ":deflate", ":zstd")

generation.watch("commune.catalog")  # procedures, documents, fields, blank forms, referrals


@exempt_from_limits
def _catalog_reads():
    """Reading the catalog has no rate limit: skip the limiter's bookkeeping on it entirely."""
    return request.blueprint == "catalog" and request.method in ("GET", "HEAD")


def _boot():
    """(token, time) of this start: new templates after a restart must not be answered with 304."""
    store = app_store("catalog_caching")
    if "boot" not in store:
        store.setdefault("boot", (secrets.token_hex(6), datetime.now(UTC).replace(tzinfo=None, microsecond=0)))
    return store["boot"]


_DIGESTS = {}  # parts -> digest: the same few hundred pages are asked again and again
_MAX_DIGESTS = 4096


def _digest(*parts):
    found = _DIGESTS.get(parts)
    if found is None:
        if len(_DIGESTS) >= _MAX_DIGESTS:
            _DIGESTS.clear()
        found = _DIGESTS[parts] = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return found


def _staff_id():
    """The logged-in staff member's id from the session cookie, without loading the account (a
    page for staff is never taken from the cache, so a stale id costs nothing)."""
    return session.get("_user_id") or ""


def _validators(namespace):
    """ETag and Last-Modified of this answer, from what the process already knows."""
    token, changed = generation.current()
    boot, booted = _boot()
    parts = [namespace, token, boot, select_locale(), request.full_path]
    if namespace == "page":
        parts += [_staff_id(), is_htmx(),
                  css_bundle()[1], static_url("vendor/htmx.min.js")]
    return _digest(*parts), max(filter(None, (changed, booted)))


def _client_has(etag, last_modified):
    """Whether the request's If-None-Match / If-Modified-Since says the client is current."""
    wanted = request.headers.get("If-None-Match")
    if wanted:
        for tag in wanted.split(","):
            tag = tag.strip()
            if tag == "*":
                return True
            tag = tag.removeprefix("W/").strip('"')
            for suffix in _ENCODING_SUFFIXES:
                tag = tag.removesuffix(suffix)
            if tag == etag:
                return True
        return False  # If-None-Match wins over If-Modified-Since (RFC 9110)
    since = request.if_modified_since
    if since and last_modified:
        return last_modified <= since.replace(tzinfo=None)
    return False


def _stamp(response, etag, last_modified):
    response.set_etag(etag)
    response.last_modified = last_modified
    response.cache_control.no_cache = True  # keep it, but ask each time (a 304 costs nothing)
    response.vary.add("HX-Request")
    response.vary.add("Cookie")
    return response


def _cacheable(response):
    if response.status_code != 200 or response.is_streamed or "Set-Cookie" in response.headers:
        return False
    return b'name="csrf_token"' not in response.get_data()  # a form token is one visitor's


def _from_cache(etag, last_modified, view, args, kwargs):
    cache = page_cache.cache()
    page = cache.get(etag)
    if page is None:
        response = make_response(view(*args, **kwargs))
        if not _cacheable(response):
            return response
        page = cache.put(etag, response.get_data(), response.mimetype)
    body, encoding = cache.encoded(page, page_cache.wanted_encoding())
    # The headers _stamp() writes, written at once (a kept page is answered in a few dozen µs,
    # and werkzeug's header objects would cost more than that).
    headers = [("ETag", f'"{etag}:{encoding}"' if encoding else f'"{etag}"'),
               ("Last-Modified", http_date(last_modified)), ("Cache-Control", "no-cache"),
               ("Vary", "HX-Request, Cookie, Accept-Encoding")]
    if encoding:
        headers.append(("Content-Encoding", encoding))  # Flask-Compress leaves it as it is
    return Response(body, mimetype=page.mimetype, headers=headers)


def conditional(namespace="page"):
    """Decorate a GET view: 304 when the client's copy is current, else the page built once."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if session.get("_flashes"):
                return view(*args, **kwargs)  # a one-time message: never cacheable
            etag, last_modified = _validators(namespace)
            if _client_has(etag, last_modified):
                return _stamp(make_response("", 304), etag, last_modified)
            if _staff_id():
                response = make_response(view(*args, **kwargs))
                return _stamp(response, etag, last_modified) if response.status_code == 200 else response
            return _from_cache(etag, last_modified, view, args, kwargs)

        return wrapper

    return decorate
