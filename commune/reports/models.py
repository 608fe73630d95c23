"""Stored monthly counts: the figures of a closed month, kept so a year's page adds twelve rows.

`ReportMonth` is one row per local month ('YYYY-MM'). Every flush that changes a
dossier of a past month bumps its `stamp` and clears its `key` (month_cache.py), in
the same transaction as the change; counts are stored only if the stamp read before
computing them is still there when they are written, and read only while `key`
matches the current calendar and formula.
"""
from datetime import datetime

from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

MONTH_COUNTS = ("online", "counter", "post", "early", "on_time", "late", "refused", "withdrawn",
                "timed", "work_days")


class ReportMonth(db.Model):
    __tablename__ = "report_months"

    month: Mapped[str] = mapped_column(db.String(7), primary_key=True)  # local 'YYYY-MM'
    stamp: Mapped[int] = mapped_column(db.Integer, nullable=False, default=0)  # bumped by every change to its dossiers
    # The fingerprint of the stored counts; "" = none.
    key: Mapped[str] = mapped_column(db.String(40), nullable=False, default="")
    computed_at: Mapped[datetime | None] = mapped_column(db.DateTime)


class ReportMonthCount(db.Model):
    """The month's counts for one (procedure, assignee); plain integers, no foreign keys."""

    __tablename__ = "report_month_counts"

    id: Mapped[int] = mapped_column(db.Integer, primary_key=True)
    month: Mapped[str] = mapped_column(db.String(7), nullable=False, index=True)
    procedure_id: Mapped[int] = mapped_column(db.Integer, nullable=False)
    assignee_id: Mapped[int | None] = mapped_column(db.Integer)
    online: Mapped[int] = mapped_column(db.Integer, nullable=False, default=0)
    counter: Mapped[int] = mapped_column(db.Integer, nullable=False, default=0)
    post: Mapped[int] = mapped_column(db.Integer, nullable=False, default=0)
    early: Mapped[int] = mapped_column(db.Integer, nullable=False, default=0)
    on_time: Mapped[int] = mapped_column(db.Integer, nullable=False, default=0)
    late: Mapped[int] = mapped_column(db.Integer, nullable=False, default=0)
    refused: Mapped[int] = mapped_column(db.Integer, nullable=False, default=0)
    withdrawn: Mapped[int] = mapped_column(db.Integer, nullable=False, default=0)
    timed: Mapped[int] = mapped_column(db.Integer, nullable=False, default=0)
    work_days: Mapped[int] = mapped_column(db.Integer, nullable=False, default=0)
