"""A token that changes with every committed edit of what the public pages show.

The catalog pages and the JSON API are pure functions of the catalog, the settings, the language
and the URL. Instead of asking the database on each request whether anything changed, every
flush that touches a watched row (the settings, and each model of a package a feature names with
`watch()`) writes a new random token into the settings table, in the same transaction. The
process keeps the token it last saw:

- an edit committed by this process takes effect at once (after the commit);
- an edit committed elsewhere (the `flask` CLI, another server process) is seen at the next
  re-read, at most COMMUNE_PAGES_RECHECK_SECONDS later (1 s by default).

A token names one state of the watched rows, so a page rendered under it stays right for as long
as the token is current (a restored backup brings back its own token, and with it its pages).
"""
import secrets
import threading
import time
from datetime import UTC, datetime
from itertools import chain

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_sqlalchemy.session import Session
from sqlalchemy import event

from ..core.kept import app_store
from ..core.settings import Setting
from ..extensions import db

KEY = "_pages_generation"
_watched = set()  # module prefixes whose models the public pages show


def watch(module_prefix):
    """Pages show the models of this package: any edit of them changes the token."""
    _watched.add(module_prefix)


def _shown_on_pages(obj):
    if isinstance(obj, Setting):
        return obj.key != KEY
    return type(obj).__module__.startswith(tuple(_watched))


class _State:
    """What this process knows of the token (one per app)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.token, self.changed = "", None
        self.read_at = float("-inf")
        self.local_bumps = 0  # a re-read started before a local commit must not undo it


def _state(app):
    return app.extensions.setdefault("pages_generation", _State())


def _encode(token, changed):
    return f"{token}|{changed.isoformat()}"


def _decode(value):
    token, _, changed = (value or "").partition("|")
    try:
        return token, datetime.fromisoformat(changed)
    except ValueError:
        return token, None


def current():
    """(token, time of the last edit or None) as this process sees them; one tiny query per
    re-check interval, none in between."""
    app = current_app._get_current_object()
    state = _state(app)
    now = time.monotonic()
    if now - state.read_at < app.config.get("COMMUNE_PAGES_RECHECK_SECONDS", 1.0):
        return state.token, state.changed
    bumps = state.local_bumps
    value = db.session.scalar(sa.select(Setting.value).where(Setting.key == KEY))
    with state.lock:
        if state.local_bumps == bumps:
            state.token, state.changed = _decode(value)
        state.read_at = now
    return state.token, state.changed


def kept(name, build):
    """build() once per token, per app: for what only the watched rows and the settings decide
    (the working calendar, the catalog's lists). Returns the same object until the token changes.
    What build() returns must be plain values (core/kept.py): it outlives the request."""
    token, _changed = current()
    store = app_store("generation_kept")
    found = store.get(name)
    if found is None or found[0] != token:
        found = store[name] = (token, build())
    return found[1]


def _before_flush(session, _context, _instances):
    if any(_shown_on_pages(obj) for obj in chain(session.new, session.dirty, session.deleted)):
        session.info["pages_changed"] = True


def _after_flush(session, _context):
    if not session.info.pop("pages_changed", False):
        return
    token, changed = secrets.token_hex(8), datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    value = _encode(token, changed)
    table = Setting.__table__
    connection = session.connection()
    updated = connection.execute(sa.update(table).where(table.c.key == KEY).values(value=value))
    if updated.rowcount == 0:
        connection.execute(sa.insert(table).values(key=KEY, value=value))
    session.info["pages_generation"] = (token, changed)


def _after_commit(session):
    if session.in_nested_transaction():  # a savepoint's release: the token is not committed yet
        return
    new = session.info.pop("pages_generation", None)
    if new is None or not has_app_context():
        return
    state = _state(current_app._get_current_object())
    with state.lock:
        state.token, state.changed = new
        state.local_bumps += 1


def _after_rollback(session):
    session.info.pop("pages_generation", None)
    session.info.pop("pages_changed", None)


event.listen(Session, "before_flush", _before_flush)
event.listen(Session, "after_flush", _after_flush)
event.listen(Session, "after_commit", _after_commit)
event.listen(Session, "after_rollback", _after_rollback)
