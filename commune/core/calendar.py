"""Working days: the one module that knows which days the office works.

A working day is Monday to Friday, minus Viet Nam's public holidays (the
`holidays` package knows Tết and Hùng Kings by the lunar calendar and the
government's substituted days), minus extra days off the admin enters, plus
make-up working days (usually Saturdays) the holidays package or the admin knows.
"""
from datetime import date, datetime, time, timedelta

import holidays as holidays_lib
import sqlalchemy as sa

from ..extensions import db
from .settings import Setting
from .timeutil import to_local

OFF = "off"
WORKING = "working"


class CalendarDay(db.Model):
    """A day the admin marks differently from the national calendar."""

    __tablename__ = "calendar_days"

    day = db.Column(db.Date, primary_key=True)
    kind = db.Column(db.String(10), nullable=False)  # OFF or WORKING
    note = db.Column(db.String(200), nullable=False, default="")


class WorkingCalendar:
    """Answers 'is this a working day?' for a range of years, with the admin's overrides."""

    def __init__(self, overrides=None):
        self.overrides = dict(overrides or {})
        self._national = holidays_lib.country_holidays("VN")

    @classmethod
    def load(cls):
        """The calendar with overrides from the database."""
        rows = db.session.execute(sa.select(CalendarDay.day, CalendarDay.kind)).all()
        return cls({day: kind for day, kind in rows})

    def holiday_name(self, day):
        """The national holiday's name for `day`, or None."""
        return self._national.get(day)

    def is_working_day(self, day):
        kind = self.overrides.get(day)
        if kind == OFF:
            return False
        if kind == WORKING:
            return True
        return self._national.is_working_day(day)

    def next_working_day(self, day, include_today=False):
        """The first working day on or after (include_today) / after `day`."""
        current = day if include_today else day + timedelta(days=1)
        for _ in range(400):
            if self.is_working_day(current):
                return current
            current += timedelta(days=1)
        raise ValueError("no working day within a year")

    def add_working_days(self, start, count):
        """The working day `count` working days after `start` (start itself must be working)."""
        current = start
        for _ in range(count):
            current = self.next_working_day(current)
        return current

    def working_days_between(self, start, end):
        """How many working days lie after `start` up to and including `end` (negative if end < start)."""
        if end == start:
            return 0
        sign = 1 if end > start else -1
        low, high = (start, end) if sign > 0 else (end, start)
        count = 0
        current = low + timedelta(days=1)
        while current <= high:
            if self.is_working_day(current):
                count += 1
            current += timedelta(days=1)
        return sign * count

    def effective_start(self, received_at, cutoff):
        """The working day the clock starts: today if received on a working day before the cut-off."""
        local = to_local(received_at) if isinstance(received_at, datetime) else None
        day = local.date() if local else received_at
        late = local is not None and local.time() >= cutoff
        if self.is_working_day(day) and not late:
            return day
        return self.next_working_day(day)

    def due_date(self, received_at, processing_days, cutoff=time(16, 0)):
        """Due date for a dossier received at `received_at` (naive UTC) taking `processing_days`.

        0 days means same day; a dossier received after the cut-off or on a day off
        counts from the next working day. None (not published) gives None.
        """
        if processing_days is None:
            return None
        start = self.effective_start(received_at, cutoff)
        return self.add_working_days(start, int(processing_days))


def parse_cutoff(text):
    """'16:00' -> time(16, 0)."""
    hours, minutes = (text or "16:00").split(":")
    return time(int(hours), int(minutes))


def saved_cutoff():
    """The cut-off the admin saved on the calendar page ('HH:MM'), or None."""

    row = db.session.get(Setting, "cutoff")
    return row.value if row is not None and row.value else None


def compute_due_date(received_at, processing_days, cutoff_text="16:00"):
    """Due date with the database's calendar (for services); the admin's saved cut-off wins."""
    cutoff = saved_cutoff() or cutoff_text
    return WorkingCalendar.load().due_date(received_at, processing_days, parse_cutoff(cutoff))


__all__ = ["CalendarDay", "WorkingCalendar", "compute_due_date", "parse_cutoff", "date"]
