"""Rendered pages kept in memory, with their gzip and brotli forms, bounded in bytes.

A page is stored under its ETag (which names everything it depends on), so a hit costs a
dictionary lookup: no SQL, no template, no compression. Entries are dropped least recently used
first once the total passes COMMUNE_PAGE_CACHE_BYTES (8 MB by default).
"""
import gzip
import threading
from collections import OrderedDict

import brotli
from flask import current_app, request

from ..core.kept import plain

ENCODINGS = ("br", "gzip")


class Page:
    """One rendered answer and the encodings asked for so far."""

    __slots__ = ("body", "mimetype", "encoded")

    def __init__(self, body, mimetype):
        self.body, self.mimetype, self.encoded = body, mimetype, {}

    def size(self):
        return len(self.body) + sum(len(b) for b in self.encoded.values())


def _compress(body, encoding):
    if encoding == "br":
        return brotli.compress(body, quality=9)
    return gzip.compress(body, compresslevel=9, mtime=0)


class PageCache:
    def __init__(self, max_bytes):
        self.max_bytes = max_bytes
        self.pages = OrderedDict()
        self.total = 0
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            page = self.pages.get(key)
            if page is not None:
                self.pages.move_to_end(key)
            return page

    def put(self, key, body, mimetype):
        page = Page(*plain((bytes(body), str(mimetype)), "a kept page"))
        if len(body) * 2 > self.max_bytes:
            return page  # served, not kept
        with self.lock:
            old = self.pages.pop(key, None)
            self.total -= old.size() if old else 0
            self.pages[key] = page
            self.total += page.size()
            self._trim()
        return page

    def encoded(self, page, encoding):
        """The page's bytes in `encoding` (None: as rendered), compressed once."""
        if encoding is None or len(page.body) < 300:
            return page.body, None
        body = page.encoded.get(encoding)
        if body is None:
            body = _compress(page.body, encoding)
            with self.lock:
                if encoding not in page.encoded:
                    page.encoded[encoding] = body
                    self.total += len(body)
                    self._trim()
        return body, encoding

    def _trim(self):
        while self.total > self.max_bytes and self.pages:
            _, dropped = self.pages.popitem(last=False)
            self.total -= dropped.size()


def cache():
    app = current_app._get_current_object()
    found = app.extensions.get("page_cache")
    if found is None:
        found = app.extensions.setdefault("page_cache", PageCache(app.config.get("COMMUNE_PAGE_CACHE_BYTES",
                                                                                   8 * 1024 * 1024)))
    return found


def wanted_encoding():
    """br if the client takes it, else gzip, else None (q=0 refuses an encoding)."""
    accepted = {}
    for part in request.headers.get("Accept-Encoding", "").lower().split(","):
        name, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        accepted[name.strip()] = quality
    for encoding in ENCODINGS:
        if accepted.get(encoding, accepted.get("*", 0.0)) > 0:
            return encoding
    return None
