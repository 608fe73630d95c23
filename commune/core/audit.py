"""The admin's record: who changed what, when, with the values before and after.

Every admin change calls audit(); the entries are shown to admins at /quan-tri/nhat-ky.
Secrets are never written here: callers pass "(đã thay đổi)" instead of the value.
"""
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .timeutil import utcnow

if TYPE_CHECKING:  # the relationships' types only (no import at run time)
    from ..accounts.models import User


class AuditEntry(db.Model):
    """One admin change."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(db.Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(db.DateTime, nullable=False, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(db.Integer, db.ForeignKey("users.id"))
    actor_label: Mapped[str] = mapped_column(db.String(200), nullable=False, default="")
    action: Mapped[str] = mapped_column(db.String(60), nullable=False)  # e.g. procedure.update, user.deactivate
    # e.g. "procedure dang-ky-khai-sinh"
    target: Mapped[str] = mapped_column(db.String(300), nullable=False, default="")
    # {"name": {"before": "…", "after": "…"}, …} or any small JSON describing the change.
    changes: Mapped[dict] = mapped_column(db.JSON, nullable=False, default=dict)

    actor: Mapped["User | None"] = relationship("User")


def diff(before, after):
    """{"key": {"before": x, "after": y}} for every key whose value differs."""
    keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
    return {k: {"before": before.get(k), "after": after.get(k)} for k in keys if before.get(k) != after.get(k)}


def audit(actor, action, target, changes=None):
    """Record one admin change (flush, never commit)."""
    label = ""
    if actor is not None and getattr(actor, "is_authenticated", False):
        label = f"{actor.full_name or actor.username} ({actor.username})"
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None) if label else None, actor_label=label,
        action=action, target=str(target or ""), changes=_jsonable(changes or {}),
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def _jsonable(value):
    """Dates and other values as strings so the JSON column accepts them."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
