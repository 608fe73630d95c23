"""The inbox's tab counts without filters or search, kept for a moment.

The clerk switches tabs all day, and every tab shows the counts of all the others: without
filters they are the same numbers each time until a dossier changes. They are kept per (today,
the 'due soon' day) and dropped:
- at once when this process commits a change to a dossier (any flush of a Dossier row, added,
  changed or deleted, or an ORM update/delete of dossiers, marks the session; its commit makes
  every kept count stale);
- after TTL_SECONDS in any case, for changes committed by another process (the `flask` CLI, a
  second server). A count may then lag by that long; the list itself is always read live.
"""
import threading
import time
from itertools import chain

from sqlalchemy import event
from sqlalchemy.orm import Session

from ..core.kept import app_store
from ..dossiers.models import Dossier

TTL_SECONDS = 5.0
_MARK = "inbox_counts_stale"


class _Kept:
    def __init__(self):
        self.lock = threading.Lock()
        self.changes = 0  # commits that changed dossiers, in this process (any app)


_kept = _Kept()


def _counts():
    """This app's kept counts: (today, soon) -> (changes when read, monotonic time, counts)."""
    return app_store("inbox_counts")


def get(key):
    """The counts kept for `key` if still current, else None."""
    found = _counts().get(key)
    if found is None:
        return None
    changes, at, counts = found
    if changes != _kept.changes or time.monotonic() - at > TTL_SECONDS:
        return None
    return dict(counts)


def version():
    """Read before counting: counts computed under an older version are never kept as current."""
    return _kept.changes


def put(key, read_version, counts):
    kept = _counts()
    with _kept.lock:
        if len(kept) > 16:
            kept.clear()
        kept[key] = (read_version, time.monotonic(), dict(counts))


@event.listens_for(Session, "after_flush")
def _after_flush(session, _context):
    if any(isinstance(obj, Dossier) for obj in chain(session.new, session.dirty, session.deleted)):
        session.info[_MARK] = True


@event.listens_for(Session, "do_orm_execute")
def _bulk(state):
    if (state.is_update or state.is_delete) and any(
            getattr(mapper, "class_", None) is Dossier for mapper in state.all_mappers):
        state.session.info[_MARK] = True


@event.listens_for(Session, "after_commit")
def _after_commit(session):
    if session.in_nested_transaction():  # a savepoint's release is not the commit
        return
    if session.info.pop(_MARK, False):
        with _kept.lock:
            _kept.changes += 1


@event.listens_for(Session, "after_rollback")
def _after_rollback(session):
    session.info.pop(_MARK, None)
