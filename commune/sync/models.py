"""The sync queue: one row per thing the provincial / national one-stop system must be told.

Two kinds: `dossier` (create or update the whole dossier; one pending row per dossier is
enough, later events fold into it) and `history` (one processing-history row, sent in small
batches). Rows are added in the transaction of the dossier's event (commune.sync.queue) and
sent after the commit (commune.sync.send), with what the portal said kept on the row: only its
error code and message field, cut (commune.sync.adapters.summary), never the body of an answer.
"""
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from ..core.enum_column import StrEnumType
from ..core.i18n import N_
from ..core.leased_queue import FAILED, PENDING, SENT, LeasedRow
from ..dossiers.retention import erases_personal_data
from ..extensions import db

if TYPE_CHECKING:  # the relationships' types only (no import at run time)
    from ..dossiers.models import Dossier, DossierEvent


class SyncKind(StrEnum):
    """What a sync record sends: the whole dossier (created or updated), or one row of its history."""

    DOSSIER = "dossier"
    HISTORY = "history"

    @property
    def label(self):
        """A msgid: templates show it through _()."""
        return _KIND_LABELS[self]


DOSSIER, HISTORY = SyncKind.DOSSIER, SyncKind.HISTORY
_KIND_LABELS = {DOSSIER: N_("Hồ sơ"), HISTORY: N_("Quá trình xử lý")}

STATUS_LABELS = {PENDING: N_("Chờ đồng bộ"), SENT: N_("Đã đồng bộ"), FAILED: N_("Đồng bộ lỗi")}
STATUS_TONES = {PENDING: "amber", SENT: "green", FAILED: "red"}

CREATE = "create"
UPDATE = "update"

ANSWER_CHARS = 2000  # the most kept of an answer's summary or an error (the adapters cut them shorter)


class SyncRecord(LeasedRow, db.Model):
    """One dossier upsert or one history row to send, and what the remote answered (besides the
    leased queue's status, attempts, last error and times: the answer, the operation, the claim)."""

    __tablename__ = "sync_records"

    id: Mapped[int] = mapped_column(db.Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(db.Integer, db.ForeignKey("dossiers.id", ondelete="CASCADE"),
                                            nullable=False, index=True)
    event_id: Mapped[int | None] = mapped_column(db.Integer, db.ForeignKey("dossier_events.id", ondelete="SET NULL"))
    kind: Mapped[SyncKind] = mapped_column(StrEnumType(SyncKind, 10), nullable=False)
    # What the last successful dossier send did: CREATE or UPDATE ("" for history rows).
    operation: Mapped[str] = mapped_column(db.String(10), nullable=False, default="")
    # The MaHoSo the remote knows the dossier by, fixed at its first send (later sends keep it).
    remote_code: Mapped[str] = mapped_column(db.String(50), nullable=False, default="")
    # The portal's last answer as "error_code X: message" (adapters.summary), never its raw body.
    answer: Mapped[str] = mapped_column(db.Text, nullable=False, default="")
    # Set while a sender holds the row (its payload is being built and sent); None otherwise.
    claimed_at: Mapped[datetime | None] = mapped_column(db.DateTime)

    dossier: Mapped["Dossier"] = relationship("Dossier", backref=backref(
        "sync_records", order_by="SyncRecord.id", cascade="all, delete-orphan", passive_deletes=True))
    event: Mapped["DossierEvent | None"] = relationship("DossierEvent")

    @property
    def status_label(self):
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def tone(self):
        return STATUS_TONES.get(self.status, "grey")


def cut(text, limit=ANSWER_CHARS):
    """An answer or error as kept on the row: at most `limit` characters, marked when cut."""
    text = (text or "").replace("\x00", "\\x00")  # a NUL as its escape: PostgreSQL keeps no NUL in text
    return text if len(text) <= limit else text[:limit] + " …"


@erases_personal_data
def _erase_answers(dossier):
    """Retention: a remote answer may echo the villager's data; that the dossier was synced stays."""
    for record in db.session.scalars(sa.select(SyncRecord).where(SyncRecord.dossier_id == dossier.id)):
        record.answer, record.last_error = "", ""
