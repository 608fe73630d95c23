"""Sending the queue: claim each due record with an atomic UPDATE (commune.core.leased_queue),
send it, keep the answer.

Dossier records go first (create the first time, update after; "already exists" is an update),
then history rows in batches of the protocol's `history_batch`, only for dossiers the remote
already holds. A sender that dies mid-send leaves its records claimed until LEASE passes; the
next pass takes them again. Nothing is sent twice as a create: once any dossier record of a
dossier was sent, every later one is an update, and a create the remote already had comes
back as "already exists" and is sent again as an update.
"""
import logging
from collections import Counter
from datetime import timedelta

import sqlalchemy as sa

from ..core.leased_queue import claim, due_ids, mark_sent, retry_or_fail
from ..core.settings import get_settings
from ..core.timeutil import utcnow
from ..dossiers.models import Dossier
from ..dossiers.states import FINAL
from ..extensions import db
from .adapters import EXISTS, OTHER, SyncError, adapter_for
from .connection import connection
from .models import CREATE, DOSSIER, HISTORY, PENDING, SENT, UPDATE, SyncRecord, cut
from .payload import dossier_payload, history_row, official_code, with_connection_settings
from .protocol import protocol

log = logging.getLogger("commune.sync")

# Minutes to wait after the 1st, 2nd, ... failed attempt; after the last one the record is failed.
BACKOFF_MINUTES = (1, 5, 15, 60, 240)
MAX_ATTEMPTS = len(BACKOFF_MINUTES) + 1
LEASE = timedelta(minutes=10)  # a claimed record is taken again if its sender died mid-send


def remote_code(dossier_id):
    """The MaHoSo the remote holds this dossier under, or None if it never accepted it."""
    return db.session.scalar(
        sa.select(SyncRecord.remote_code).where(SyncRecord.dossier_id == dossier_id, SyncRecord.kind == DOSSIER,
                                                SyncRecord.status == SENT)
        .order_by(SyncRecord.id).limit(1))


def sendable():
    """Dossiers the remote may hear of: received (their official code is given then), or ended
    before it (refused, withdrawn). MaHoSo never changes once sent, so nothing goes before."""
    return sa.select(Dossier.id).where(sa.or_(Dossier.received_at.is_not(None),
                                              Dossier.status.in_([s.value for s in FINAL])))


def send_due(now=None, batch=100):
    """One pass: send what is due; a Counter of outcomes (sent, retry, failed). Nothing when sync is off."""
    now = now or utcnow()
    outcomes = Counter()
    conn = connection()
    if not (conn.enabled and conn.configured):  # a secret unreadable or typed for other addresses: wait
        db.session.rollback()
        return outcomes
    adapter = adapter_for(conn)
    settings = with_connection_settings(get_settings(), conn)
    for record_id in _due(DOSSIER, now, batch):
        if _claim(record_id, now):
            outcomes[_send_dossier(db.session.get(SyncRecord, record_id), adapter, settings, now)] += 1
    size = max(1, int(protocol().get("history_batch") or 10))
    for record_id in _due(HISTORY, now, batch):
        record = db.session.get(SyncRecord, record_id)
        if record is None or record.status != PENDING or record.claimed_at is not None:
            continue  # already sent with an earlier batch of this pass
        claimed = [r for r in _history_batch(record, now, size) if _claim(r, now)]
        if claimed:
            for outcome, count in _send_history(claimed, adapter, settings, now).items():
                outcomes[outcome] += count
    return outcomes


def _due(kind, now, batch):
    if kind == HISTORY:  # only once the remote holds the dossier
        dossiers = sa.select(SyncRecord.dossier_id).where(SyncRecord.kind == DOSSIER, SyncRecord.status == SENT)
    else:
        dossiers = sendable()
    return due_ids(SyncRecord, now, batch, SyncRecord.kind == kind, SyncRecord.dossier_id.in_(dossiers))


def _history_batch(record, now, size):
    """This record and the next due history records of the same dossier, oldest first."""
    return db.session.scalars(
        sa.select(SyncRecord.id).where(SyncRecord.dossier_id == record.dossier_id, SyncRecord.kind == HISTORY,
                                       SyncRecord.status == PENDING, SyncRecord.next_attempt_at <= now,
                                       SyncRecord.id >= record.id)
        .order_by(SyncRecord.id).limit(size)).all()


def _claim(record_id, now):
    """Take the record for this sender: count the attempt and hold it for LEASE (atomic)."""
    return claim(SyncRecord, record_id, now, LEASE, claimed_at=now)


def _send_dossier(record, adapter, settings, now):
    db.session.refresh(record)
    try:
        known_as = remote_code(record.dossier_id)
        updating = known_as is not None
        code = known_as or official_code(record.dossier)
        payload = dossier_payload(record.dossier, settings, code=code)
        answer = adapter.push_dossier(payload, updating)
        operation = UPDATE if updating else CREATE
        if answer.outcome == EXISTS and not updating:
            answer = adapter.push_dossier(payload, True)  # the remote had it: update instead
            operation = UPDATE
    except Exception as error:  # noqa: BLE001 - any failure is recorded and retried
        outcome = _failure(record, error, now)
    else:
        _sent(record, answer.text)
        record.operation = operation
        record.remote_code = code
        outcome = SENT
    db.session.commit()
    return outcome


def _send_history(record_ids, adapter, settings, now):
    records = [db.session.get(SyncRecord, record_id) for record_id in record_ids]
    for record in records:
        db.session.refresh(record)
    outcomes = Counter()
    try:
        code = remote_code(records[0].dossier_id)
        rows = [history_row(_event(record), record.dossier, settings, code=code) for record in records]
        answer = adapter.push_history(rows)
    except Exception as error:  # noqa: BLE001
        for record in records:
            outcomes[_failure(record, error, now)] += 1
    else:
        for record in records:
            _sent(record, answer.text)
        outcomes[SENT] += len(records)
    db.session.commit()
    return outcomes


def _event(record):
    if record.event is None:  # the event row is gone (a dossier erased): nothing to say any more
        raise SyncError("the event of this history row no longer exists")
    return record.event


def _sent(record, text):
    mark_sent(record)
    record.claimed_at = None
    record.answer = cut(text)


def _failure(record, error, now):
    record.claimed_at = None
    record.last_error = cut(f"{type(error).__name__}: {error}", 1000)
    record.answer = cut(getattr(error, "answer", "") or "")
    return retry_or_fail(record, error, now, BACKOFF_MINUTES, log, "sync record")


def retry(record):
    """The desk's retry of a failed record: due again now, with a fresh count (flush, no commit)."""
    record.status = PENDING
    record.attempts = 0
    record.claimed_at = None
    record.next_attempt_at = utcnow()
    db.session.flush()


def test_connection(conn):
    """The session / token call with `conn` (not cached): (ok, reason, HTTP status). Nothing of what
    the server answered comes back: only the category of the failure (adapters.UNREACHABLE…)."""
    try:
        adapter_for(conn).login()
    except SyncError as error:
        return False, error.reason, error.status
    except Exception as error:  # noqa: BLE001 - the admin's page never breaks
        log.warning("sync: the connection test failed (%s)", type(error).__name__)
        return False, OTHER, None
    return True, "", None
