"""The workflow listener: every event of a dossier past its draft queues what the remote must hear.

- one `dossier` record (create or update), folded into a pending one not yet taken by a sender:
  the payload is built when it is sent, so one send carries every change before it;
- one `history` record for an event of a kind the protocol syncs (status moves, assignment,
  apology, delivery steps…; never a document view or an internal note).

Added in the event's transaction, so a rollback leaves nothing behind. No flush here.
"""
import sqlalchemy as sa

from ..core.timeutil import utcnow
from ..dossiers.models import Dossier, DossierEvent
from ..dossiers.states import Status
from ..extensions import db
from .models import DOSSIER, HISTORY, PENDING, SyncRecord
from .protocol import protocol

# session.info key: records queued in this transaction, {id(dossier): its pending dossier record}.
QUEUED_KEY = "commune_queued_sync"


def past_draft(dossier, event):
    """A dossier the remote should know: submitted once (a draft abandoned before sending never is)."""
    if dossier.status == Status.DRAFT:
        return False
    return not (event.from_status == Status.DRAFT and dossier.status != Status.SUBMITTED)


def queue_for_event(dossier, event):
    """Workflow listener (dossiers.workflow.on_transition)."""
    if not past_draft(dossier, event):
        return []
    synced_kinds = set(protocol()["history_kinds"])
    if event.kind not in synced_kinds and not event.to_status:
        return []  # a view, a note, a download: nothing the remote keeps changed
    with db.session.no_autoflush:
        queued = db.session.info.setdefault(QUEUED_KEY, {})
        added = []
        if id(dossier) not in queued and not _pending_upsert(dossier):
            record = SyncRecord(kind=DOSSIER, status=PENDING, next_attempt_at=utcnow())
            record.dossier = dossier
            db.session.add(record)
            queued[id(dossier)] = record
            added.append(record)
        elif id(dossier) not in queued:
            queued[id(dossier)] = None  # folded into the one already waiting
        if event.kind in synced_kinds:
            record = SyncRecord(kind=HISTORY, status=PENDING, next_attempt_at=utcnow())
            record.dossier = dossier
            record.event = event
            db.session.add(record)
            added.append(record)
        return added


def queue_existing():
    """Queue every dossier past its draft that has no sync record yet (received before the sync was
    switched on): its dossier record, and its history of the synced kinds in order. Flushes;
    returns how many dossiers. For `flask sync queue-existing`, run once when a commune connects."""
    synced_kinds = set(protocol()["history_kinds"])
    known = sa.select(SyncRecord.dossier_id).where(SyncRecord.dossier_id.isnot(None))
    dossiers = db.session.scalars(sa.select(Dossier).where(
        Dossier.status != Status.DRAFT, Dossier.submitted_at.isnot(None), Dossier.id.not_in(known))
        .order_by(Dossier.submitted_at, Dossier.id)).all()
    now = utcnow()
    for dossier in dossiers:
        db.session.add(SyncRecord(kind=DOSSIER, status=PENDING, next_attempt_at=now, dossier=dossier))
        events = db.session.scalars(sa.select(DossierEvent).where(
            DossierEvent.dossier_id == dossier.id, DossierEvent.kind.in_(synced_kinds))
            .order_by(DossierEvent.at, DossierEvent.id)).all()
        for event in events:
            db.session.add(SyncRecord(kind=HISTORY, status=PENDING, next_attempt_at=now, dossier=dossier,
                                      event=event))
    db.session.flush()
    return len(dossiers)


def _pending_upsert(dossier):
    """A dossier record still waiting and not held by a sender (it will carry this change too)."""
    if dossier.id is None:
        return False
    return db.session.scalar(sa.select(sa.exists().where(
        SyncRecord.dossier_id == dossier.id, SyncRecord.kind == DOSSIER, SyncRecord.status == PENDING,
        SyncRecord.claimed_at.is_(None))))


def forget_queued(session):
    """After commit or rollback: this transaction's list is done; True if it queued something."""
    return bool(session.info.pop(QUEUED_KEY, None))
