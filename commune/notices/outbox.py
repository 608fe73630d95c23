"""The notices outbox: every SMS or e-mail to a villager, queued with the event that causes it.

A workflow listener (`queue_for_event`) adds `Notice` rows in the same
transaction as the dossier's event, so a rollback leaves no notice behind.
Sending happens after the commit (commune.notices.worker wakes a
background thread; `flask --app app notices send` does the same for cron),
with retries and the outcome recorded on the row.
"""
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from ..core.enum_column import StrEnumType
from ..core.leased_queue import FAILED, PENDING, SENT, LeasedRow
from ..core.phone import is_mobile, normalise_phone
from ..core.settings import get_settings
from ..core.timeutil import utcnow
from ..dossiers.retention import erases_personal_data
from ..extensions import db
from .texts import describe, email_text, sms_text

if TYPE_CHECKING:  # the relationships' types only (no import at run time)
    from ..dossiers.models import Dossier, DossierEvent


class NoticeChannel(StrEnum):
    """What carries a notice to the villager."""

    EMAIL = "email"
    SMS = "sms"

    @property
    def label(self):
        return CHANNEL_LABELS[self]


EMAIL, SMS = NoticeChannel.EMAIL, NoticeChannel.SMS
CHANNEL_LABELS = {EMAIL: "E-mail", SMS: "SMS"}

STATUS_LABELS = {PENDING: "Chờ gửi", SENT: "Đã gửi", FAILED: "Gửi không được"}

# session.info key: notices queued in this transaction (their text is refreshed before commit).
QUEUED_KEY = "commune_queued_notices"


class Notice(LeasedRow, db.Model):
    """One message to a villager about one dossier event, and what happened when we sent it
    (status, attempts, last error and times: the leased queue's columns)."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(db.Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(db.Integer, db.ForeignKey("dossiers.id", ondelete="CASCADE"),
                                            nullable=False, index=True)
    event_id: Mapped[int | None] = mapped_column(db.Integer, db.ForeignKey("dossier_events.id", ondelete="SET NULL"))
    channel: Mapped[NoticeChannel] = mapped_column(StrEnumType(NoticeChannel, 10), nullable=False)
    # "to" is an SQL keyword: the column is named to_address.
    to: Mapped[str] = mapped_column("to_address", db.String(200), nullable=False)
    subject: Mapped[str] = mapped_column(db.String(300), nullable=False, default="")
    body: Mapped[str] = mapped_column(db.Text, nullable=False, default="")

    dossier: Mapped["Dossier"] = relationship("Dossier", backref=backref(
        "notices", order_by="Notice.id", cascade="all, delete-orphan", passive_deletes=True))
    event: Mapped["DossierEvent | None"] = relationship("DossierEvent")

    @property
    def channel_label(self):
        return CHANNEL_LABELS.get(self.channel, self.channel)

    @property
    def status_label(self):
        return STATUS_LABELS.get(self.status, self.status)


# Channel settings the admin may save on the settings page (commune.core.settings), by config key.
SAVED_KEYS = {"SMTP_HOST": "smtp_host", "SMTP_PORT": "smtp_port", "SMTP_USER": "smtp_user",
              "SMTP_PASSWORD": "smtp_password", "SMTP_FROM": "smtp_from", "SMS_URL": "sms_url",
              "SMS_AUTH": "sms_auth"}
CONFIG_KEYS = tuple(SAVED_KEYS) + ("SMS_BODY", "SMTP_SECURITY")
_UNSET = (None, "", "__clear__")


def channel_config():
    """SMTP and SMS settings: what the admin saved on the settings page, else the environment's."""

    values = {key: current_app.config.get(key) for key in CONFIG_KEYS}
    with db.session.no_autoflush:
        saved = get_settings()
    for key, name in SAVED_KEYS.items():
        if saved.get(name) not in _UNSET:
            values[key] = saved[name]
    return values


def email_configured(config):
    return bool(config.get("SMTP_HOST"))


def sms_configured(config):
    return bool(config.get("SMS_URL"))


def recipients(dossier, config=None):
    """[(channel, address)] this dossier's villager can be reached on with the configured channels."""

    config = config or channel_config()
    found = []
    # "Nộp thay": the helper who submitted hears of it; no phone at all, no SMS (the receipt's key).
    phone = normalise_phone(dossier.contact_phone)
    if sms_configured(config) and phone and is_mobile(phone):  # a landline cannot receive an SMS
        found.append((SMS, phone))
    if email_configured(config) and dossier.applicant_email:
        found.append((EMAIL, dossier.applicant_email))
    return found


def queue_for_event(dossier, event):
    """Workflow listener: queue the notices a villager-visible event deserves (no flush, no send)."""
    # No flush from inside transition(): the texts are refreshed before the commit anyway.
    with db.session.no_autoflush:
        return _queue(dossier, event)


def _queue(dossier, event):

    if describe(dossier, event) is None:
        return []
    queued = []
    for channel, address in recipients(dossier):
        notice = Notice(channel=channel, to=address, next_attempt_at=utcnow())
        db.session.add(notice)
        notice.dossier = dossier
        notice.event = event
        render(notice)
        queued.append(notice)
    if queued:
        db.session.info.setdefault(QUEUED_KEY, []).extend(queued)
    return queued


def render(notice):
    """Write the notice's subject and body from its dossier and event as they are now."""

    if notice.channel == SMS:
        notice.subject = ""
        notice.body = sms_text(notice.dossier, notice.event)
    else:
        notice.subject, notice.body = email_text(notice.dossier, notice.event)


def refresh_queued(session):
    """Before commit: re-render notices queued in this transaction.

    The clerk's view may set the due date or the supplement items after calling
    transition(); the texts must say what is committed, not what was half done.
    """
    for notice in session.info.get(QUEUED_KEY, []):
        if notice in session and notice.dossier is not None and notice.event is not None:
            render(notice)


def forget_queued(session):
    """After commit or rollback: this transaction's list is done."""
    return session.info.pop(QUEUED_KEY, [])


def dossier_notices(dossier):
    """A dossier's notices, newest first (for the staff partial)."""
    return db.session.scalars(
        sa.select(Notice).where(Notice.dossier_id == dossier.id).order_by(Notice.id.desc())
    ).all()


@erases_personal_data
def _erase_notice_texts(dossier):
    """Retention: addresses and texts of the notices go; that a notice was sent stays."""
    for notice in db.session.scalars(sa.select(Notice).where(Notice.dossier_id == dossier.id)):
        notice.to, notice.subject, notice.body, notice.last_error = "", "", "", ""
