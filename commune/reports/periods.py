"""Report periods: this month, last month, this quarter, this year, or custom dates (local days)."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ..core.timeutil import local_today

UTC_OFFSET = timedelta(hours=7)  # Asia/Ho_Chi_Minh, no daylight saving

KINDS = {
    "thang-nay": "Tháng này",
    "thang-truoc": "Tháng trước",
    "quy-nay": "Quý này",
    "nam-nay": "Năm nay",
    "tuy-chon": "Tùy chọn",
}


@dataclass(frozen=True)
class Period:
    """Local days start..end inclusive."""

    start: date
    end: date
    kind: str = "tuy-chon"

    @property
    def start_utc(self):
        """The first instant of `start` as naive UTC."""
        return datetime.combine(self.start, datetime.min.time()) - UTC_OFFSET

    @property
    def end_utc(self):
        """The first instant after `end` as naive UTC (exclusive bound)."""
        return datetime.combine(self.end + timedelta(days=1), datetime.min.time()) - UTC_OFFSET

    @property
    def months(self):
        """'YYYY-MM' of every month the period touches, in order."""
        months, current = [], self.start.replace(day=1)
        while current <= self.end:
            months.append(current.strftime("%Y-%m"))
            current = (current + timedelta(days=32)).replace(day=1)
        return months

    @property
    def label(self):
        return f"{self.start:%d/%m/%Y} – {self.end:%d/%m/%Y}"


def month_period(year, month):
    """The whole local month."""
    start = date(year, month, 1)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return Period(start, end, "thang")


def make_period(kind, start=None, end=None, today=None):
    """The period for a kind; custom needs start and end (swapped if reversed)."""
    today = today or local_today()
    if kind == "thang-truoc":
        last = today.replace(day=1) - timedelta(days=1)
        return Period(last.replace(day=1), last, kind)
    if kind == "quy-nay":
        first_month = 3 * ((today.month - 1) // 3) + 1
        start_q = date(today.year, first_month, 1)
        end_q = month_period(today.year, first_month + 2).end
        return Period(start_q, end_q, kind)
    if kind == "nam-nay":
        return Period(date(today.year, 1, 1), date(today.year, 12, 31), kind)
    if kind == "tuy-chon" and start and end:
        if end < start:
            start, end = end, start
        return Period(start, end, kind)
    period = month_period(today.year, today.month)
    return Period(period.start, period.end, "thang-nay")


def _shift_year(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def previous_period(period):
    """The period just before: the month before a month, the quarter before a quarter, the year
    before a year, else as many days ending the day before."""
    if period.kind in ("thang-nay", "thang-truoc", "thang"):
        last = period.start - timedelta(days=1)
        return month_period(last.year, last.month)
    if period.kind == "quy-nay":
        end = period.start - timedelta(days=1)
        start = date(end.year, end.month - 2, 1)
        return Period(start, end, "quy")
    if period.kind == "nam-nay":
        return Period(date(period.start.year - 1, 1, 1), date(period.start.year - 1, 12, 31), "nam")
    length = (period.end - period.start).days
    end = period.start - timedelta(days=1)
    return Period(end - timedelta(days=length), end, "tuy-chon")


def same_period_last_year(period):
    """The same days one year before (a whole month stays the whole month)."""
    if period.kind in ("thang-nay", "thang-truoc", "thang"):
        return month_period(period.start.year - 1, period.start.month)
    return Period(_shift_year(period.start, -1), _shift_year(period.end, -1), "tuy-chon")
