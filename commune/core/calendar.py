"""Working days: the one module that knows which days the office works.

A working day is Monday to Friday, minus Viet Nam's public holidays (the
`holidays` package knows Tết and Hùng Kings by the lunar calendar and the
government's substituted days), minus extra days off the admin enters, plus
make-up working days (usually Saturdays) the holidays package or the admin knows.
"""
from datetime import date, datetime, time, timedelta
from enum import StrEnum

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm import Mapped, mapped_column

from ..config import DEFAULT_CUTOFF
from ..extensions import db
from .enum_column import StrEnumType
from .i18n import select_locale
from .settings import Setting
from .timeutil import to_local


class DayKind(StrEnum):
    """How the admin marks a day: an extra day off, or a make-up working day."""

    OFF = "off"
    WORKING = "working"


OFF, WORKING = DayKind.OFF, DayKind.WORKING

# The holidays package names days in these languages; the site's "vi" and "en" map onto them.
HOLIDAY_LANGUAGES = {"vi": "vi", "en": "en_US"}
# How the package's English names mark the days of Tết Nguyên Đán (Eve, 29 Tết, the 1st–5th, observed).
_TET_MARK = "Lunar New Year"
# An admin's own day within this many days of a year's Tết counts as the admin's own Tết schedule.
TET_WINDOW = timedelta(days=14)


class CalendarDay(db.Model):
    """A day the admin marks differently from the national calendar."""

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(db.Date, primary_key=True)
    kind: Mapped[DayKind] = mapped_column(StrEnumType(DayKind, 10), nullable=False)
    note: Mapped[str] = mapped_column(db.String(200), nullable=False, default="")


def _vietnam_holidays(**options):
    """The holidays library's Vietnamese calendar. Imported on first use: the idle server, and
    every villager page that shows no date, never needs its ~10 MB."""
    import holidays

    return holidays.country_holidays("VN", **options)


class WorkingCalendar:
    """Answers 'is this a working day?' for a range of years, with the admin's overrides."""

    def __init__(self, overrides=None):
        self.overrides = dict(overrides or {})
        self._national = _vietnam_holidays()
        self._named = {}

    @classmethod
    def load(cls):
        """The calendar with overrides from the database."""
        rows = db.session.execute(sa.select(CalendarDay.day, CalendarDay.kind)).all()
        return cls({day: kind for day, kind in rows})

    def holiday_name(self, day, locale=None):
        """The national holiday's name for `day` in `locale` (the visitor's language when None), or None."""
        language = _language(locale)
        if language not in self._named:
            self._named[language] = _vietnam_holidays(language=language)
        return self._named[language].get(day)

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

    def due_date(self, received_at, processing_days, cutoff=None):
        """Due date for a dossier received at `received_at` (naive UTC) taking `processing_days`.

        0 days means same day; a dossier received at or after the cut-off (a `time`, by default
        DEFAULT_CUTOFF) or on a day off counts from the next working day. None (not published)
        gives None.
        """
        if processing_days is None:
            return None
        start = self.effective_start(received_at, cutoff or parse_cutoff(DEFAULT_CUTOFF))
        return self.add_working_days(start, int(processing_days))


def national_holidays(years, locale=None):
    """The national holidays of `years` (a year or a list) as {day: name}, named in `locale`
    ("vi" or "en"; the visitor's language when None)."""
    return _vietnam_holidays(years=years, language=_language(locale))


def _language(locale):
    return HOLIDAY_LANGUAGES.get(locale or select_locale(), "vi")


def tet_days(year):
    """The days off for Tết Nguyên Đán of `year` as the holidays package expects them (sorted).

    The government announces each Tết's schedule (days swapped, a 29 Tết off or not) only a few
    months ahead; until the admin confirms the year (tet_confirmed) these days are a guess."""
    return sorted(day for day, name in national_holidays(year, "en").items() if _TET_MARK in name)


def _tet_stamp(days):
    return ",".join(day.isoformat() for day in days)


def tet_setting_key(year):
    return f"tet_confirmed_{year}"


def tet_confirmed(year):
    """Whether the admin stands behind `year`'s Tết days: they confirmed exactly the days the
    calendar uses, or marked days of their own (off or make-up) around that Tết."""
    days = tet_days(year)
    if not days:
        return True
    row = db.session.get(Setting, tet_setting_key(year))
    if row is not None and row.value == _tet_stamp(days):
        return True
    own = db.session.scalar(sa.select(sa.func.count()).select_from(CalendarDay).where(
        CalendarDay.day.between(days[0] - TET_WINDOW, days[-1] + TET_WINDOW)))
    return bool(own)


def tet_confirmation(year):
    """(setting key, value) recording that the admin confirmed `year`'s Tết days as they stand."""
    return tet_setting_key(year), _tet_stamp(tet_days(year))


def valid_cutoff(text):
    """Whether `text` is a cut-off time 'HH:MM' (00:00–23:59)."""
    text = (text or "").strip()
    if len(text) != 5 or text[2] != ":" or not (text.isascii() and text.replace(":", "").isdigit()):
        return False
    return int(text[:2]) < 24 and int(text[3:]) < 60


def parse_cutoff(text):
    """'15:00' -> time(15, 0); a missing or malformed value gives DEFAULT_CUTOFF."""
    text = (text or "").strip()
    hours, minutes = (text if valid_cutoff(text) else DEFAULT_CUTOFF).split(":")
    return time(int(hours), int(minutes))


def default_cutoff():
    """The cut-off when the admin saved none: COMMUNE_CUTOFF if well formed, else DEFAULT_CUTOFF."""
    configured = current_app.config.get("COMMUNE_CUTOFF") if has_app_context() else None
    return configured.strip() if valid_cutoff(configured) else DEFAULT_CUTOFF


def saved_cutoff():
    """The cut-off the admin saved on the calendar page ('HH:MM'), or None (none, or malformed)."""
    row = db.session.get(Setting, "cutoff")
    value = row.value.strip() if row is not None and row.value else ""
    return value if valid_cutoff(value) else None


def configured_cutoff():
    """The one daily cut-off ('HH:MM') the due dates and every text for villagers use:
    the admin's saved setting, else COMMUNE_CUTOFF, else DEFAULT_CUTOFF (15:00)."""
    return saved_cutoff() or default_cutoff()


def compute_due_date(received_at, processing_days):
    """Due date with the database's calendar and configured_cutoff() (for services): the site keeps
    one cut-off. A what-if with another time is WorkingCalendar.due_date(..., cutoff)."""
    return WorkingCalendar.load().due_date(received_at, processing_days, parse_cutoff(configured_cutoff()))


__all__ = ["CalendarDay", "WorkingCalendar", "compute_due_date", "configured_cutoff", "national_holidays",
           "parse_cutoff", "tet_confirmed", "tet_days", "date"]


# Office hours (local time), morning and afternoon: what a "working hour" counts (inbox waiting times).
OFFICE_HOURS = ((time(7, 30), time(11, 30)), (time(13, 30), time(17, 0)))


def working_seconds_between(calendar, start, end, hours=OFFICE_HOURS):
    """Seconds of office hours on `calendar`'s working days from `start` to `end` (naive UTC; 0 if end <= start)."""
    if start is None or end is None or end <= start:
        return 0
    first, last = to_local(start), to_local(end)
    total = timedelta()
    day = first.date()
    while day <= last.date():
        if calendar.is_working_day(day):
            for opens, closes in hours:
                low = max(first, datetime.combine(day, opens, tzinfo=first.tzinfo))
                high = min(last, datetime.combine(day, closes, tzinfo=first.tzinfo))
                if high > low:
                    total += high - low
        day += timedelta(days=1)
    return int(total.total_seconds())
