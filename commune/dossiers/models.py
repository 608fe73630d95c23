"""The dossier (hồ sơ) and what hangs off it: its events and the files the villager sent.

Every feature reads and writes these: submissions create them, tracking shows
them, the inbox works them, the post delivers them, reports count them.
"""
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from ..core.enum_column import StrEnumType
from ..core.i18n import N_
from ..core.roles import DOSSIER_READERS, OFFICER, is_in
from ..core.timeutil import utcnow
from ..extensions import db
from ..files.storage import holds_keys
from .codes import display, hash_lookup_key
from .events import EventKind
from .states import Status

if TYPE_CHECKING:  # the relationships' types only (no import at run time)
    from ..accounts.models import User
    from ..catalog.models import Procedure


class Channel(StrEnum):
    """How a dossier reached the office: online, at the counter, or by post."""

    ONLINE = "online"
    COUNTER = "counter"
    POST = "post"

    @property
    def label(self):
        """The channel's name for people (a msgid)."""
        return CHANNEL_LABELS[self]


CHANNEL_ONLINE, CHANNEL_COUNTER, CHANNEL_POST = Channel.ONLINE, Channel.COUNTER, Channel.POST
CHANNELS = tuple(Channel)
CHANNEL_LABELS = {CHANNEL_ONLINE: "Trực tuyến", CHANNEL_COUNTER: "Tại quầy", CHANNEL_POST: "Qua bưu chính"}


class ResultMethod(StrEnum):
    """How the villager takes the result: at the office, or brought home by the post."""

    OFFICE = "office"
    POST = "post"


RESULT_AT_OFFICE, RESULT_BY_POST = ResultMethod.OFFICE, ResultMethod.POST

# Who submitted "nộp thay" (for someone else): their role beside the applicant.
HELPER_RELATIVE = "relative"
HELPER_VILLAGE_OFFICER = "village_officer"
HELPER_OTHER = "other"
HELPER_ROLE_LABELS = {HELPER_RELATIVE: N_("Người thân"), HELPER_VILLAGE_OFFICER: N_("Cán bộ thôn, bản, tổ dân phố"),
                      HELPER_OTHER: N_("Người khác")}


class Dossier(db.Model):
    """One application by one villager for one procedure."""

    __tablename__ = "dossiers"

    id: Mapped[int] = mapped_column(db.Integer, primary_key=True)
    # Tracking code (core.tracking_codes: 10 unambiguous characters); set on submit.
    code: Mapped[str | None] = mapped_column(db.String(16), unique=True)
    # The receipt's short key, kept only as its keyed hash (codes.hash_lookup_key); set through `lookup_key`.
    lookup_key_hash: Mapped[str | None] = mapped_column(db.String(64))
    # Official code (Circular 01/2018/TT-VPCP art. 19, dossiers/official_code.py), given at the first receipt;
    # predictable, so never a credential.
    official_code: Mapped[str | None] = mapped_column(db.String(50), unique=True, index=True)
    draft_token_hash: Mapped[str | None] = mapped_column(db.String(64), unique=True)  # sha256 of the draft cookie token
    submit_key: Mapped[str | None] = mapped_column(db.String(64), unique=True)  # idempotency key of the submit
    procedure_id: Mapped[int] = mapped_column(db.Integer, db.ForeignKey("procedures.id"), nullable=False, index=True)
    # The procedure as it was when the dossier was made (name, days, fee, documents, fields).
    procedure_snapshot: Mapped[dict] = mapped_column(db.JSON, nullable=False, default=dict)
    status: Mapped[Status] = mapped_column(StrEnumType(Status, 20), nullable=False, default=Status.DRAFT, index=True)
    status_before_supplement: Mapped[Status | None] = mapped_column(StrEnumType(Status, 20))
    channel: Mapped[Channel] = mapped_column(StrEnumType(Channel, 10), nullable=False, default=Channel.ONLINE,
                                             index=True)

    applicant_name: Mapped[str] = mapped_column(db.String(200), nullable=False, default="")
    applicant_phone: Mapped[str] = mapped_column(db.String(20), nullable=False, default="", index=True)  # 0xxxxxxxxx
    applicant_id_number: Mapped[str] = mapped_column(db.String(12), nullable=False, default="")
    applicant_address: Mapped[str] = mapped_column(db.String(300), nullable=False, default="")
    applicant_village: Mapped[str] = mapped_column(db.String(120), nullable=False, default="")
    applicant_email: Mapped[str] = mapped_column(db.String(200), nullable=False, default="")
    # "Nộp thay": a relative or a village officer submitted for the applicant; notices go to them.
    helper_name: Mapped[str] = mapped_column(db.String(200), nullable=False, default="", server_default="")
    helper_phone: Mapped[str] = mapped_column(db.String(20), nullable=False, default="", server_default="")
    helper_role: Mapped[str] = mapped_column(db.String(20), nullable=False, default="", server_default="")
    helper_relation: Mapped[str] = mapped_column(db.String(100), nullable=False, default="", server_default="")
    search_text: Mapped[str] = mapped_column(db.Text, nullable=False, default="")  # accent-free name/phone/ID/code
    form_data: Mapped[dict] = mapped_column(db.JSON, nullable=False, default=dict)

    result_method: Mapped[ResultMethod] = mapped_column(StrEnumType(ResultMethod, 10), nullable=False,
                                                        default=ResultMethod.OFFICE)
    delivery_name: Mapped[str] = mapped_column(db.String(200), nullable=False, default="")
    delivery_phone: Mapped[str] = mapped_column(db.String(20), nullable=False, default="")
    delivery_address: Mapped[str] = mapped_column(db.String(300), nullable=False, default="")
    delivery_village: Mapped[str] = mapped_column(db.String(120), nullable=False, default="")
    delivery_note: Mapped[str] = mapped_column(db.String(300), nullable=False, default="")

    receiving_unit: Mapped[str] = mapped_column(db.String(200), nullable=False, default="")
    competent_unit: Mapped[str] = mapped_column(db.String(200), nullable=False, default="")
    assignee_id: Mapped[int | None] = mapped_column(db.Integer, db.ForeignKey("users.id"), index=True)
    fee_vnd: Mapped[int | None] = mapped_column(db.Integer)
    supplement_count: Mapped[int] = mapped_column(db.Integer, nullable=False, default=0)
    has_new_supplement: Mapped[bool] = mapped_column(db.Boolean, nullable=False, default=False)

    created_at: Mapped[datetime] = mapped_column(db.DateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(db.DateTime, index=True)
    received_at: Mapped[datetime | None] = mapped_column(db.DateTime, index=True)
    due_date: Mapped[date | None] = mapped_column(db.Date, index=True)
    # The first due date the office missed (set by the first apology, Form 04): figures still count
    # such a dossier as late even when it meets the new date.
    missed_due_date: Mapped[date | None] = mapped_column(db.Date)
    ready_at: Mapped[datetime | None] = mapped_column(db.DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(db.DateTime, index=True)  # returned, refused or withdrawn
    expires_at: Mapped[datetime | None] = mapped_column(db.DateTime, index=True)  # drafts only
    erased_at: Mapped[datetime | None] = mapped_column(db.DateTime)  # personal data removed (retention.py)
    version: Mapped[int] = mapped_column(db.Integer, nullable=False, default=1)

    procedure: Mapped["Procedure"] = relationship("Procedure")
    assignee: Mapped["User | None"] = relationship("User")
    events: Mapped[list["DossierEvent"]] = relationship(
        "DossierEvent", back_populates="dossier", order_by="DossierEvent.id", cascade="all, delete-orphan")
    files: Mapped[list["DossierFile"]] = relationship(
        "DossierFile", back_populates="dossier", order_by="DossierFile.id", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}
    # The inbox's tabs and counts (bench/inbox.py): running dossiers by due date (covering the
    # "now"/overdue/due-soon counts), each tab in its sort order, counts filtered by channel or
    # assignee, all answered from an index (text search has its own: dossiers/search.py).
    __table_args__ = (
        db.Index("ix_dossiers_status_due", "status", "due_date", "has_new_supplement", "result_method",
                 "submitted_at"),
        db.Index("ix_dossiers_status_received", "status", "received_at"),
        db.Index("ix_dossiers_status_submitted", "status", "submitted_at"),
        db.Index("ix_dossiers_status_channel", "status", "channel", "assignee_id"),
    )

    @property
    def status_label(self):
        return self.status.label

    @property
    def status_badge(self):
        return self.status.tone

    @property
    def lookup_key(self):
        """The clear key, only on the object that was just given it (the database keeps its hash)."""
        return self.__dict__.get("_clear_lookup_key")

    @lookup_key.setter
    def lookup_key(self, key):
        """Give the dossier a key (its code must be set first) or None (retention erases it)."""
        if key and not self.code:
            raise ValueError("a lookup key is bound to the tracking code: set the code first")
        self.__dict__["_clear_lookup_key"] = key or None
        self.lookup_key_hash = hash_lookup_key(self.code, key) if key else None

    @property
    def display_code(self):
        """The tracking code as people read it: K7QM-X2PD-AF."""
        return display(self.code)

    @property
    def channel_label(self):
        return CHANNEL_LABELS.get(self.channel, self.channel)

    @property
    def submitted_by_helper(self):
        """Submitted "nộp thay" by a relative or a village officer (their name is kept)."""
        return bool(self.helper_name)

    @property
    def helper_role_label(self):
        return HELPER_ROLE_LABELS.get(self.helper_role, "")

    @property
    def contact_phone(self):
        """The number notices go to: the helper's for a dossier submitted for someone, else the applicant's."""
        return self.helper_phone if self.submitted_by_helper else self.applicant_phone

    def can_view(self, user):
        """May staff member `user` read this dossier (its page, pages, answers, printed forms)?
        Readers' roles only (never the post), and never a villager's unsent draft."""
        return self.status != Status.DRAFT and is_in(user, DOSSIER_READERS)

    def can_act(self, user, action, whatever_the_state=False):
        """May `user` take inbox `action` (its roles, states and scope) on this dossier now?
        An officer acts only on a dossier assigned to them or to nobody yet. With
        `whatever_the_state`, only who may: the state is checked apart (409, not 403)."""
        if not (self.can_view(user) and is_in(user, action.roles)):
            return False
        if not (whatever_the_state or action.state_allows(self)):
            return False
        if user.role == OFFICER and action.officer_scoped:
            return self.assignee_id in (None, user.id)
        return True


# PostgreSQL reads an ascending index only as ASC NULLS LAST or DESC NULLS FIRST, so the inbox's
# "newest first, not yet received last" orders (inbox/queries.order_by) need indexes of their own
# there; SQLite walks the ascending ones above backwards (its NULLs sort first).
for _name, *_columns in (
    ("ix_dossiers_pg_status_received", Dossier.status, Dossier.received_at.desc().nulls_last(), Dossier.id.desc()),
    ("ix_dossiers_pg_status_submitted", Dossier.status, Dossier.submitted_at.desc().nulls_last(), Dossier.id.desc()),
    ("ix_dossiers_pg_submitted", Dossier.submitted_at.desc().nulls_last(), Dossier.id.desc()),
):
    db.Index(_name, *_columns, info={"only_on": "postgresql"}).ddl_if(dialect="postgresql")


class DossierEvent(db.Model):
    """One step in a dossier's record: a status change, a note, a message, a view, a delivery step."""

    __tablename__ = "dossier_events"

    id: Mapped[int] = mapped_column(db.Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(db.Integer, db.ForeignKey("dossiers.id", ondelete="CASCADE"),
                                            nullable=False, index=True)
    at: Mapped[datetime] = mapped_column(db.DateTime, nullable=False, default=utcnow)
    kind: Mapped[EventKind] = mapped_column(StrEnumType(EventKind, 30), nullable=False, default=EventKind.STATUS)
    from_status: Mapped[Status | None] = mapped_column(StrEnumType(Status, 20))
    to_status: Mapped[Status | None] = mapped_column(StrEnumType(Status, 20))
    actor_id: Mapped[int | None] = mapped_column(db.Integer, db.ForeignKey("users.id"))
    actor_label: Mapped[str] = mapped_column(db.String(200), nullable=False, default="")
    note: Mapped[str] = mapped_column(db.Text, nullable=False, default="")
    public: Mapped[bool] = mapped_column(db.Boolean, nullable=False, default=True)  # the villager sees it
    data: Mapped[dict | None] = mapped_column(db.JSON)

    dossier: Mapped["Dossier"] = relationship("Dossier", back_populates="events")
    actor: Mapped["User | None"] = relationship("User")


class DossierFile(db.Model):
    """One page the villager (or clerk) sent: a processed photo or a PDF. Never altered afterwards."""

    __tablename__ = "dossier_files"

    id: Mapped[int] = mapped_column(db.Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(db.Integer, db.ForeignKey("dossiers.id", ondelete="CASCADE"),
                                            nullable=False, index=True)
    # Index of the required document in the procedure snapshot; None = other/extra.
    document_index: Mapped[int | None] = mapped_column(db.Integer)
    # 0 = the first submission; n = the answer to the n-th supplement request; -1 = a result file.
    round: Mapped[int] = mapped_column(db.Integer, nullable=False, default=0)
    purpose: Mapped[str] = mapped_column(db.String(20), nullable=False, default="document")  # document | result | proof
    storage_key: Mapped[str] = mapped_column(db.String(100), nullable=False)  # content hash of the stored file
    thumb_key: Mapped[str | None] = mapped_column(db.String(100))
    mime: Mapped[str] = mapped_column(db.String(50), nullable=False)
    size_bytes: Mapped[int] = mapped_column(db.Integer, nullable=False)
    width: Mapped[int | None] = mapped_column(db.Integer)
    height: Mapped[int | None] = mapped_column(db.Integer)
    sha256: Mapped[str] = mapped_column(db.String(64), nullable=False)
    original_name: Mapped[str] = mapped_column(db.String(200), nullable=False, default="")
    uploaded_at: Mapped[datetime] = mapped_column(db.DateTime, nullable=False, default=utcnow)

    dossier: Mapped["Dossier"] = relationship("Dossier", back_populates="files")


holds_keys(DossierFile.storage_key)
holds_keys(DossierFile.thumb_key)


class SupplementRequest(db.Model):
    """The clerk's one written request for what is missing (Form 02), and the villager's answer."""

    __tablename__ = "supplement_requests"

    id: Mapped[int] = mapped_column(db.Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(db.Integer, db.ForeignKey("dossiers.id", ondelete="CASCADE"),
                                            nullable=False, index=True)
    round: Mapped[int] = mapped_column(db.Integer, nullable=False, default=1)  # files answering it carry this round
    # [{"document_index": 1 or None, "label": "Giấy khai sinh (ảnh mờ)"}]: each missing/unreadable item
    items: Mapped[list] = mapped_column(db.JSON, nullable=False, default=list)
    message: Mapped[str] = mapped_column(db.Text, nullable=False, default="")
    reason_for_another: Mapped[str] = mapped_column(db.Text, nullable=False, default="")  # why a 2nd request was needed
    requested_at: Mapped[datetime] = mapped_column(db.DateTime, nullable=False, default=utcnow)
    requested_by_id: Mapped[int | None] = mapped_column(db.Integer, db.ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(db.DateTime)
    reply: Mapped[str] = mapped_column(db.Text, nullable=False, default="")

    dossier: Mapped["Dossier"] = relationship("Dossier", backref=backref("supplement_requests",
                                                                            order_by="SupplementRequest.round"))
    requested_by: Mapped["User | None"] = relationship("User")
