"""Payments the desk confirmed (a transfer, or cash at the desk) and the bank statements it imported.

Cash the carrier collects at the door stays on the postal item (postal.models.ManifestItem.fee_collected_vnd).
"""
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.enum_column import StrEnumType
from ..core.timeutil import utcnow
from ..extensions import db

if TYPE_CHECKING:  # the relationships' types only (no import at run time)
    from ..accounts.models import User
    from ..dossiers.models import Dossier


class PaymentChannel(StrEnum):
    """How a fee was paid."""

    TRANSFER = "transfer"
    DESK = "desk"
    CARRIER = "carrier"  # counted from the post's items, never a Payment row

    @property
    def label(self):
        return CHANNEL_LABELS[self]


TRANSFER, DESK, CARRIER = PaymentChannel.TRANSFER, PaymentChannel.DESK, PaymentChannel.CARRIER
CHANNELS = tuple(PaymentChannel)
CHANNEL_LABELS = {TRANSFER: "Chuyển khoản", DESK: "Tiền mặt tại quầy", CARRIER: "Tiền mặt cho bưu tá"}  # msgids


class Payment(db.Model):
    """The fee of one dossier, received once: by transfer (with the bank's reference) or in cash at the desk."""

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(db.Integer, primary_key=True)
    # One payment per dossier: a second confirmation is refused (services.confirm_payment).
    dossier_id: Mapped[int] = mapped_column(db.Integer, db.ForeignKey("dossiers.id", ondelete="CASCADE"),
                                            nullable=False, unique=True)
    channel: Mapped[PaymentChannel] = mapped_column(StrEnumType(PaymentChannel, 10), nullable=False, index=True)
    amount_vnd: Mapped[int] = mapped_column(db.Integer, nullable=False)
    due_vnd: Mapped[int | None] = mapped_column(db.Integer)  # the fee when it was confirmed
    reference: Mapped[str] = mapped_column(db.String(100), nullable=False, default="", index=True)
    paid_on: Mapped[datetime | None] = mapped_column(db.DateTime)  # the statement's date, if imported
    recorded_at: Mapped[datetime] = mapped_column(db.DateTime, nullable=False, default=utcnow, index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(db.Integer, db.ForeignKey("users.id"))
    statement_id: Mapped[int | None] = mapped_column(db.Integer, db.ForeignKey("statement_imports.id"))
    note: Mapped[str] = mapped_column(db.Text, nullable=False, default="")

    dossier: Mapped["Dossier"] = relationship("Dossier")
    recorded_by: Mapped["User | None"] = relationship("User")

    @property
    def mismatch(self):
        """The amount received is not the fee: flagged to the clerk and in the figures, never hidden."""
        return self.due_vnd is not None and self.amount_vnd != self.due_vnd

    @property
    def channel_label(self):
        return CHANNEL_LABELS.get(self.channel, self.channel)


class StatementImport(db.Model):
    """A bank statement the clerk uploaded: its incoming rows, read whole, waiting for the clerk's confirmation."""

    __tablename__ = "statement_imports"

    id: Mapped[int] = mapped_column(db.Integer, primary_key=True)
    filename: Mapped[str] = mapped_column(db.String(200), nullable=False, default="")
    sha256: Mapped[str] = mapped_column(db.String(64), nullable=False, index=True)
    # [{"row": n, "date": "2026-12-01", "amount": 6000, "content": "...", "reference": "..."}]
    rows: Mapped[list] = mapped_column(db.JSON, nullable=False, default=list)
    uploaded_at: Mapped[datetime] = mapped_column(db.DateTime, nullable=False, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(db.Integer, db.ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(db.DateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(db.Integer, db.ForeignKey("users.id"))

    uploaded_by: Mapped["User | None"] = relationship("User", foreign_keys=[uploaded_by_id])
    confirmed_by: Mapped["User | None"] = relationship("User", foreign_keys=[confirmed_by_id])
