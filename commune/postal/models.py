"""Postal tables: handover manifests (bảng kê), the items on them, and each delivery action."""
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.enum_column import StrEnumType
from ..core.i18n import N_
from ..core.roles import CARRIERS, DESK, is_in
from ..core.timeutil import utcnow
from ..dossiers.address import format_address
from ..dossiers.retention import erases_personal_data
from ..extensions import db
from .states import ItemState

if TYPE_CHECKING:  # the relationships' types only (no import at run time)
    from ..accounts.models import User
    from ..dossiers.models import Dossier, DossierFile


class ManifestState(StrEnum):
    """A manifest's state."""

    OPEN = "open"            # printed, waiting for the post to confirm receipt
    CONFIRMED = "confirmed"  # the post ticked what it received


MANIFEST_OPEN, MANIFEST_CONFIRMED = ManifestState.OPEN, ManifestState.CONFIRMED

# Reasons for a failed attempt.
FAIL_REASONS = {
    "nobody_home": "Không có người ở nhà",
    "wrong_address": "Sai địa chỉ",
    "refused": "Người nhận từ chối",
    "moved": "Đã chuyển đi nơi khác",
    "other": "Lý do khác",
}


class ActionKind(StrEnum):
    """What a carrier did with an item (one row per action; the token makes a resent form count once)."""

    OUT = "out"
    DELIVERED = "delivered"
    FAILED = "failed"
    RETURNED = "returned"

    @property
    def label(self):
        """The action's name for people (a msgid: templates show it through _())."""
        return _ACTION_LABELS[self]


ACTION_OUT, ACTION_DELIVERED, ACTION_FAILED, ACTION_RETURNED = (
    ActionKind.OUT, ActionKind.DELIVERED, ActionKind.FAILED, ActionKind.RETURNED)
_ACTION_LABELS = {ActionKind.OUT: N_("Đi phát"), ActionKind.DELIVERED: N_("Đã phát"),
                  ActionKind.FAILED: N_("Không phát được"), ActionKind.RETURNED: N_("Trả về xã")}


class Manifest(db.Model):
    """A handover manifest: the list of results the desk gives to the post in one bag."""

    __tablename__ = "postal_manifests"

    id: Mapped[int] = mapped_column(db.Integer, primary_key=True)
    number: Mapped[str] = mapped_column(db.String(20), nullable=False, unique=True)  # BK-2026-0001
    year: Mapped[int] = mapped_column(db.Integer, nullable=False)
    seq: Mapped[int] = mapped_column(db.Integer, nullable=False)
    status: Mapped[ManifestState] = mapped_column(StrEnumType(ManifestState, 12), nullable=False,
                                                  default=ManifestState.OPEN, index=True)
    created_at: Mapped[datetime] = mapped_column(db.DateTime, nullable=False, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(db.Integer, db.ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(db.DateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(db.Integer, db.ForeignKey("users.id"))
    confirm_token: Mapped[str | None] = mapped_column(db.String(64), unique=True)  # the form's one-time token
    # The post office the clerk hands the bag to: only its accounts may open the manifest ("" when the
    # commune has not named its post offices: then only accounts without an office may).
    post_office: Mapped[str] = mapped_column(db.String(120), nullable=False, default="", server_default="")

    created_by: Mapped["User | None"] = relationship("User", foreign_keys=[created_by_id])
    confirmed_by: Mapped["User | None"] = relationship("User", foreign_keys=[confirmed_by_id])
    items: Mapped[list["ManifestItem"]] = relationship(
        "ManifestItem", back_populates="manifest", order_by="ManifestItem.position", cascade="all, delete-orphan")

    __table_args__ = (db.UniqueConstraint("year", "seq"),)

    @property
    def total_fee(self):
        return sum(i.fee_vnd or 0 for i in self.items)

    def can_open(self, user):
        """May this postal account open the manifest? One of its own post office while open, or one
        handed to it (it confirmed it or carries an item of it); never another office's, whatever
        number it types."""
        if not is_in(user, CARRIERS):
            return False
        if self.confirmed_by_id == user.id or any(i.carrier_id == user.id for i in self.items):
            return True
        return self.status == MANIFEST_OPEN and (self.post_office or "") == (user.post_office or "")


class ManifestItem(db.Model):
    """One result in the bag: who gets it, where, the fee to collect, and where it is now."""

    __tablename__ = "postal_items"

    id: Mapped[int] = mapped_column(db.Integer, primary_key=True)
    manifest_id: Mapped[int] = mapped_column(db.Integer, db.ForeignKey("postal_manifests.id", ondelete="CASCADE"),
                                             nullable=False, index=True)
    dossier_id: Mapped[int] = mapped_column(db.Integer, db.ForeignKey("dossiers.id", ondelete="CASCADE"),
                                            nullable=False, index=True)
    position: Mapped[int] = mapped_column(db.Integer, nullable=False, default=0)
    state: Mapped[ItemState] = mapped_column(StrEnumType(ItemState, 12), nullable=False, default=ItemState.PENDING,
                                             index=True)  # postal/states.py
    # What the carrier needs, copied when the manifest is made (the paper list says the same).
    recipient_name: Mapped[str] = mapped_column(db.String(200), nullable=False, default="")
    recipient_phone: Mapped[str] = mapped_column(db.String(20), nullable=False, default="")
    address: Mapped[str] = mapped_column(db.String(300), nullable=False, default="")
    village: Mapped[str] = mapped_column(db.String(120), nullable=False, default="")
    carrier_note: Mapped[str] = mapped_column(db.String(300), nullable=False, default="")
    fee_vnd: Mapped[int] = mapped_column(db.Integer, nullable=False, default=0)  # to collect on delivery
    item_number: Mapped[str | None] = mapped_column(db.String(13))  # the carrier's UPU S10 number, optional
    carrier_id: Mapped[int | None] = mapped_column(db.Integer, db.ForeignKey("users.id"), index=True)
    failed_attempts: Mapped[int] = mapped_column(db.Integer, nullable=False, default=0)
    handed_at: Mapped[datetime | None] = mapped_column(db.DateTime, index=True)
    delivered_at: Mapped[datetime | None] = mapped_column(db.DateTime, index=True)
    returned_at: Mapped[datetime | None] = mapped_column(db.DateTime, index=True)
    received_by: Mapped[str] = mapped_column(db.String(200), nullable=False, default="")  # "" = the villager
    fee_collected: Mapped[bool] = mapped_column(db.Boolean, nullable=False, default=False)
    fee_collected_vnd: Mapped[int] = mapped_column(db.Integer, nullable=False, default=0)
    proof_file_id: Mapped[int | None] = mapped_column(db.Integer,
                                                      db.ForeignKey("dossier_files.id", ondelete="SET NULL"))
    # Offline round (rounds.py, offline.py): the receiver's relation, their signature, the carrier's order.
    received_relation: Mapped[str] = mapped_column(db.String(40), nullable=False, default="", server_default="")
    signature_file_id: Mapped[int | None] = mapped_column(
        db.Integer, db.ForeignKey("dossier_files.id", ondelete="SET NULL"))
    route_position: Mapped[int | None] = mapped_column(db.Integer)

    manifest: Mapped["Manifest"] = relationship("Manifest", back_populates="items")
    dossier: Mapped["Dossier"] = relationship("Dossier")
    carrier: Mapped["User | None"] = relationship("User")
    proof_file: Mapped["DossierFile | None"] = relationship("DossierFile", foreign_keys=[proof_file_id])
    signature_file: Mapped["DossierFile | None"] = relationship("DossierFile", foreign_keys=[signature_file_id])
    actions: Mapped[list["DeliveryAction"]] = relationship(
        "DeliveryAction", back_populates="item", order_by="DeliveryAction.id", cascade="all, delete-orphan")

    def can_handle(self, user, desk=False):
        """May `user` work this item? The carrier who holds it; with `desk`, the desk's staff too
        (they take items back and look them up from the manifest)."""
        if is_in(user, CARRIERS):
            return self.carrier_id == user.id
        return desk and is_in(user, DESK)

    @property
    def full_address(self):
        """The address from the smallest unit to the largest (house, thôn, xã, tỉnh)."""
        return format_address(self.address, self.village)

    @property
    def reference(self):
        """What the post knows the item by: its S10 number once given, else manifest number + line.

        Never the tracking code: the paper list and the carrier's screen may be seen by anyone."""
        return self.item_number or f"{self.manifest.number}/{self.position:02d}"

    @property
    def state_label(self):
        return self.state.label

    @property
    def state_badge(self):
        return self.state.tone


class DeliveryAction(db.Model):
    """One thing a carrier did with an item: out, delivered, failed (why), returned."""

    __tablename__ = "postal_actions"

    id: Mapped[int] = mapped_column(db.Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(db.Integer, db.ForeignKey("postal_items.id", ondelete="CASCADE"),
                                         nullable=False, index=True)
    kind: Mapped[ActionKind] = mapped_column(StrEnumType(ActionKind, 12), nullable=False)
    at: Mapped[datetime] = mapped_column(db.DateTime, nullable=False, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(db.Integer, db.ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(db.String(20))  # failed attempts: a FAIL_REASONS key
    note: Mapped[str] = mapped_column(db.String(300), nullable=False, default="")
    # The form's one-time token: the same form sent twice is recorded once. A record made offline
    # uses the id the phone gave it, so a record sent twice is stored once.
    token: Mapped[str] = mapped_column(db.String(64), nullable=False, unique=True)
    # When it happened on the phone (offline records; None = recorded online, at `at`).
    happened_at: Mapped[datetime | None] = mapped_column(db.DateTime)
    round_id: Mapped[int | None] = mapped_column(db.Integer, db.ForeignKey("postal_rounds.id", ondelete="SET NULL"),
                                                 index=True)

    item: Mapped["ManifestItem"] = relationship("ManifestItem", back_populates="actions")
    actor: Mapped["User | None"] = relationship("User")

    @property
    def when(self):
        """When it happened (the phone's time for an offline record)."""
        return self.happened_at or self.at


class Round(db.Model):
    """A carrier's round: the day's items taken onto the phone, then the hand-back sheet at its end.

    `summary` is written when the round closes (cash per item, returned items, items still out) so
    the sheet both sides sign stays as it was; the office confirms the cash and the returned items."""

    __tablename__ = "postal_rounds"

    id: Mapped[int] = mapped_column(db.Integer, primary_key=True)
    carrier_id: Mapped[int] = mapped_column(db.Integer, db.ForeignKey("users.id"), nullable=False, index=True)
    started_at: Mapped[datetime] = mapped_column(db.DateTime, nullable=False, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(db.DateTime, index=True)
    summary: Mapped[dict | None] = mapped_column(db.JSON)
    cash_total_vnd: Mapped[int] = mapped_column(db.Integer, nullable=False, default=0)
    confirmed_at: Mapped[datetime | None] = mapped_column(db.DateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(db.Integer, db.ForeignKey("users.id"))
    cash_received_vnd: Mapped[int | None] = mapped_column(db.Integer)
    confirm_note: Mapped[str] = mapped_column(db.String(300), nullable=False, default="")

    carrier: Mapped["User"] = relationship("User", foreign_keys=[carrier_id])
    confirmed_by: Mapped["User | None"] = relationship("User", foreign_keys=[confirmed_by_id])

    def can_view(self, user):
        """The carrier whose round it is, and the office's post room (clerks, admins)."""
        if is_in(user, CARRIERS):
            return self.carrier_id == user.id
        return is_in(user, DESK)


@erases_personal_data
def _erase_delivery_details(dossier):
    """Retention: the recipient, address and notes given to the post go; the item's record stays."""
    file_ids = {row.id for row in dossier.files}
    for item in db.session.scalars(sa.select(ManifestItem).where(ManifestItem.dossier_id == dossier.id)):
        item.recipient_name = item.recipient_phone = item.address = item.village = ""
        item.carrier_note = item.received_by = item.received_relation = ""
        if item.proof_file_id in file_ids:
            item.proof_file_id = None
        if item.signature_file_id in file_ids:
            item.signature_file_id = None
