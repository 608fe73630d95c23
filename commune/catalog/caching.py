"""Conditional GET for catalog pages and the JSON API: ETag and Last-Modified, answered with 304.

The validators are computed from a few tiny queries *before* the page is rendered, so a
villager's phone revalidating a page it already has gets an empty 304 without any rendering.
"""
import hashlib
import secrets
from collections import OrderedDict
from functools import wraps

import sqlalchemy as sa
from flask import current_app, g, make_response, request, session
from flask_login import current_user

from ..core.i18n import select_locale
from ..core.settings import get_settings
from ..extensions import db
from ..web.assets import css_bundle, static_url
from ..web.htmx import is_htmx
from .models import BlankForm, Field
from .referrals import referral_state
from .search import procedure_stats

# Flask-Compress appends ":gzip" / ":br" to our strong ETag; a client sends that form back.
_ENCODING_SUFFIXES = (":gzip", ":br", ":deflate", ":zstd")


def _boot_token():
    """New templates after a restart must not be answered with 304."""
    return current_app.extensions.setdefault("catalog_boot", secrets.token_hex(6))


def catalog_state():
    """(a tuple that changes with any catalog edit, the last modification time or None)."""
    count, latest, versions = procedure_stats()
    fields = tuple(db.session.execute(
        sa.select(Field.id, Field.code, Field.name, Field.name_en, Field.position, Field.active)
        .order_by(Field.id)
    ).all())
    forms_count, forms_max_id, forms_latest = db.session.execute(
        sa.select(sa.func.count(BlankForm.id), sa.func.max(BlankForm.id), sa.func.max(BlankForm.uploaded_at))
    ).one()
    last_modified = max(filter(None, (latest, forms_latest)), default=None)
    return (count, latest, versions, fields, forms_count, forms_max_id), last_modified


def _digest(*parts):
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def page_validators():
    """ETag and Last-Modified of a catalog page as this visitor would see it."""
    state, last_modified = catalog_state()
    referrals, referrals_changed = referral_state()  # the search shows them: an admin edit is seen at once
    last_modified = max(filter(None, (last_modified, referrals_changed)), default=None)
    user = current_user.get_id() if current_user.is_authenticated else ""
    etag = _digest(
        "page", state, referrals, sorted(get_settings().items()), select_locale(), user, is_htmx(),
        css_bundle()[1], static_url("vendor/htmx.min.js"), _boot_token(), request.full_path,
    )
    return etag, last_modified


def api_validators():
    """ETag and Last-Modified of a JSON API answer (catalog version, settings such as the cut-off
    hour the notes show, language)."""
    state, last_modified = catalog_state()
    return _digest("api", state, sorted(get_settings().items()), select_locale(), _boot_token(),
                   request.full_path), last_modified


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
        return last_modified.replace(microsecond=0) <= since.replace(tzinfo=None)
    return False


def _stamp(response, etag, last_modified):
    response.set_etag(etag)
    if last_modified:
        response.last_modified = last_modified.replace(microsecond=0)
    response.cache_control.no_cache = True  # keep it, but ask each time (a 304 costs nothing)
    response.vary.add("HX-Request")
    response.vary.add("Cookie")
    return response


def conditional(validators=page_validators):
    """Decorate a GET view: answer 304 when the client's copy is current, else stamp validators."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if session.get("_flashes"):
                return view(*args, **kwargs)  # a one-time message: never cacheable
            etag, last_modified = validators()
            g.catalog_etag = etag
            if _client_has(etag, last_modified):
                return _stamp(make_response("", 304), etag, last_modified)
            response = make_response(view(*args, **kwargs))
            if response.status_code == 200:
                _stamp(response, etag, last_modified)
            return response

        return wrapper

    return decorate


def remembered_html(render, size=256):
    """The page for this ETag if rendered before (popular searches are served without rendering)."""
    etag = g.get("catalog_etag")
    if etag is None:
        return render()
    pages = current_app.extensions.setdefault("catalog_pages", OrderedDict())
    html = pages.get(etag)
    if html is None:
        html = pages[etag] = render()
        while len(pages) > size:
            pages.popitem(last=False)
    return html
