"""Stored monthly counts: the figures of a closed month, kept so a year's page adds twelve rows.

`ReportMonth` is one row per local month ('YYYY-MM'). Every flush that changes a
dossier of a past month bumps its `stamp` and clears its `key` (month_cache.py), in
the same transaction as the change; counts are stored only if the stamp read before
computing them is still there when they are written, and read only while `key`
matches the current calendar and formula.
"""
from ..extensions import db

MONTH_COUNTS = ("online", "counter", "post", "early", "on_time", "late", "refused", "withdrawn",
                "timed", "work_days")


class ReportMonth(db.Model):
    __tablename__ = "report_months"

    month = db.Column(db.String(7), primary_key=True)  # local 'YYYY-MM'
    stamp = db.Column(db.Integer, nullable=False, default=0)  # bumped by every change to its dossiers
    key = db.Column(db.String(40), nullable=False, default="")  # fingerprint of the stored counts; "" = none
    computed_at = db.Column(db.DateTime)


class ReportMonthCount(db.Model):
    """The month's counts for one (procedure, assignee); plain integers, no foreign keys."""

    __tablename__ = "report_month_counts"

    id = db.Column(db.Integer, primary_key=True)
    month = db.Column(db.String(7), nullable=False, index=True)
    procedure_id = db.Column(db.Integer, nullable=False)
    assignee_id = db.Column(db.Integer)
    online = db.Column(db.Integer, nullable=False, default=0)
    counter = db.Column(db.Integer, nullable=False, default=0)
    post = db.Column(db.Integer, nullable=False, default=0)
    early = db.Column(db.Integer, nullable=False, default=0)
    on_time = db.Column(db.Integer, nullable=False, default=0)
    late = db.Column(db.Integer, nullable=False, default=0)
    refused = db.Column(db.Integer, nullable=False, default=0)
    withdrawn = db.Column(db.Integer, nullable=False, default=0)
    timed = db.Column(db.Integer, nullable=False, default=0)
    work_days = db.Column(db.Integer, nullable=False, default=0)
