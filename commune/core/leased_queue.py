"""A leased, retried queue: the shape the notices' outbox and the sync to the province share.

Rows are added in the transaction of what causes them (each queue's own workflow listener) and
sent after the commit by a sender (a background thread, or a cron run of the same pass). A row is
due while it is pending and its `next_attempt_at` has passed. A sender claims it with one
conditional UPDATE (still pending, still due) that counts the attempt and moves `next_attempt_at`
on by the lease: of two senders at once, only the one whose UPDATE changed the row sends it, and a
sender that dies mid-send leaves the row to be taken again once the lease has passed. A failed
attempt waits by the back-off; after the last one the row is failed for good.

Each queue keeps its own table, its own extra columns and its own policy (lease, back-off).
"""
from datetime import datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column

from ..extensions import db
from .enum_column import StrEnumType
from .timeutil import utcnow


class QueueState(StrEnum):
    """A queued row's status: due while pending, then sent, or failed for good after its last attempt."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


PENDING, SENT, FAILED = QueueState.PENDING, QueueState.SENT, QueueState.FAILED
RETRY = "retry"  # an outcome of a pass, never a status: the row stays pending


class LeasedRow:
    """The columns of a queue's rows (a mixin for the model), and the index the due rows are found by."""

    status: Mapped[QueueState] = mapped_column(StrEnumType(QueueState, 10), nullable=False, default=PENDING)
    attempts: Mapped[int] = mapped_column(db.Integer, nullable=False, default=0)
    last_error: Mapped[str] = mapped_column(db.Text, nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(db.DateTime, nullable=False, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(db.DateTime)
    # Due for (another) attempt at this time; also the lease of a sender that claimed it.
    next_attempt_at: Mapped[datetime] = mapped_column(db.DateTime, nullable=False, default=utcnow)

    @declared_attr.directive
    def __table_args__(cls):
        return (sa.Index(f"ix_{cls.__tablename__}_status_next_attempt_at", "status", "next_attempt_at"),)


def due_ids(model, now, batch, *criteria):
    """The ids of at most `batch` due rows that also meet `criteria`, oldest first. Ends the
    reading transaction: each claim that follows is a transaction of its own."""
    ids = db.session.scalars(
        sa.select(model.id).where(model.status == PENDING, model.next_attempt_at <= now, *criteria)
        .order_by(model.id).limit(batch)
    ).all()
    db.session.commit()
    return ids


def claim(model, row_id, now, lease, **values):
    """Take the row for this sender: count the attempt and hold it for `lease` (one conditional
    UPDATE, with `values` set too; committed). True if this sender got it."""
    result = db.session.execute(
        sa.update(model)
        .where(model.id == row_id, model.status == PENDING, model.next_attempt_at <= now)
        .values(attempts=model.attempts + 1, next_attempt_at=now + lease, **values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def mark_sent(row):
    """The attempt went through."""
    row.status = SENT
    row.sent_at = utcnow()
    row.last_error = ""


def retry_or_fail(row, error, now, backoff_minutes, log, what):
    """After a failed attempt (its error already on the row): due again once the back-off for this
    attempt has passed, or failed for good after len(backoff_minutes) + 1 attempts. The outcome."""
    if row.attempts >= len(backoff_minutes) + 1:
        row.status = FAILED
        log.warning("%s %s failed for good after %s attempts: %s", what, row.id, row.attempts, error)
        return FAILED
    row.next_attempt_at = now + timedelta(minutes=backoff_minutes[row.attempts - 1])
    log.info("%s %s attempt %s failed, retry at %s: %s", what, row.id, row.attempts,
             row.next_attempt_at, error)
    return RETRY


def pass_report(name, outcomes):
    """A pass's outcomes as the CLI prints them: "notices: 2 sent, 0 to retry later, 1 failed"."""
    sent, retry, failed = (outcomes.get(outcome, 0) for outcome in (SENT, RETRY, FAILED))
    return f"{name}: {sent} sent, {retry} to retry later, {failed} failed"


def counts_report(name, counts):
    """A queue's {status: count} as the CLI prints it: "sync: 3 pending, 40 sent, 1 failed"."""
    pending, sent, failed = (counts.get(status, 0) for status in (PENDING, SENT, FAILED))
    return f"{name}: {pending} pending, {sent} sent, {failed} failed"


def listen_to_sessions(before_commit, after_commit, after_rollback):
    """A queue's session hooks (what this transaction queued: before the commit, after it, after a
    rollback), registered once however many apps are made."""
    for name, fn in (("before_commit", before_commit), ("after_commit", after_commit),
                     ("after_soft_rollback", after_rollback)):
        if not event.contains(Session, name, fn):
            event.listen(Session, name, fn)
