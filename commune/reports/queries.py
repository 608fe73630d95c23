"""The figures, by SQL aggregation per month and per (procedure, assignee), rolled up in Python.

Definitions (docs/reports.md):
- received: dossiers that arrived in the period (received_at, or submitted_at if never received).
- resolved: dossiers returned in the period; early / on time / late compare the local date
  of finished_at with due_date (no due date counts as on time).
- refused / withdrawn: finished in the period with that status.
- in progress: open dossiers that arrived before the period's end; overdue if due_date < today.
- processing time: working days from the received date to the finished date (commune.core.calendar).
"""
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa

from ..accounts.models import User
from ..catalog.models import Field, Procedure
from ..core.calendar import WorkingCalendar
from ..core.i18n import N_
from ..core.timeutil import local_today
from ..dossiers.models import Dossier
from ..dossiers.states import Status
from ..extensions import db
from ..payments.queries import fee_figures, paid_channel_column
from ..postal.queries import postal_figures
from ..tracking.models import Rating
from . import month_cache
from .counting import arrived_between, calendar_steps, open_counts, range_counts, utc_start
from .helped import helped_figures
from .models import MONTH_COUNTS
from .periods import previous_period, same_period_last_year
from .sql import python_day_number

COUNT_NAMES = ("online", "counter", "post", "early", "on_time", "late", "refused", "withdrawn",
               "within_time", "overdue", "timed", "work_days")


@dataclass
class Counts:
    """The counts for one row of the figures (overall, a field, a procedure or a staff member)."""

    key: object = None
    name: str = ""
    online: int = 0
    counter: int = 0
    post: int = 0
    early: int = 0
    on_time: int = 0
    late: int = 0
    refused: int = 0
    withdrawn: int = 0
    within_time: int = 0
    overdue: int = 0
    timed: int = 0  # resolved dossiers with a received date (the average's divisor)
    work_days: int = 0  # sum of their working days
    extra: dict = field(default_factory=dict)

    def add(self, other):
        for name in COUNT_NAMES:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def received(self):
        return self.online + self.counter + self.post

    @property
    def resolved(self):
        return self.early + self.on_time + self.late

    @property
    def in_progress(self):
        return self.within_time + self.overdue

    @property
    def on_time_pct(self):
        """(early + on time) ÷ resolved, in percent; None when nothing was resolved."""
        return _pct(self.early + self.on_time, self.resolved)

    @property
    def early_pct(self):
        return _pct(self.early, self.resolved)

    @property
    def on_time_only_pct(self):
        return _pct(self.on_time, self.resolved)

    @property
    def late_pct(self):
        return _pct(self.late, self.resolved)

    @property
    def online_share(self):
        """Online ÷ all received, in percent."""
        return _pct(self.online, self.received)

    @property
    def avg_days(self):
        """Average processing time in working days (one decimal), or None."""
        return round(self.work_days / self.timed, 1) if self.timed else None


def _pct(part, whole):
    return round(100.0 * part / whole, 1) if whole else None


@dataclass
class Figures:
    """Everything the figures page shows for one period."""

    period: object
    overall: Counts
    by_field: list
    by_procedure: list
    by_staff: list
    months: list  # [{"month": "2026-10", "received": n, "early": n, "on_time": n, "late": n}]
    satisfaction: dict | None
    postal: dict | None
    helped: dict | None = None  # "nộp thay" and no-phone dossiers (reports/helped.py)
    fees: dict | None = None  # fees due and collected by channel (payments/queries.py)


def _pieces(period):
    """The period cut at month boundaries: [(month 'YYYY-MM', first day, last day, whole month?)]."""
    pieces = []
    for month in period.months:
        first = date.fromisoformat(f"{month}-01")
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        start, end = max(first, period.start), min(last, period.end)
        pieces.append((month, start, end, (start, end) == (first, last)))
    return pieces


def _steps_from(steps, first_day):
    """The calendar steps from `first_day` on, counted from zero there (as if computed from that day)."""
    number = python_day_number(first_day)
    before = 0
    for day_n, value in steps:
        if day_n >= number:
            break
        before = value
    return [(day_n, value - before) for day_n, value in steps if day_n >= number]


BARS = ("received", "early", "on_time", "late")


def _bar(counts):
    """A month's bar from its (procedure, assignee) counts."""
    bar = dict.fromkeys(BARS, 0)
    for values in counts.values():
        named = dict(zip(MONTH_COUNTS, values, strict=True))
        bar["received"] += named["online"] + named["counter"] + named["post"]
        for name in BARS[1:]:
            bar[name] += named[name]
    return bar


def _count_live(pieces, calendar, stale, keys):
    """{month: (procedure, assignee) counts} of pieces counted live; stale whole months get stored."""
    lookback = timedelta(days=month_cache.LOOKBACK_DAYS)
    steps = calendar_steps(calendar, pieces[0][1] - lookback, pieces[-1][2] + timedelta(days=1))
    may_store = month_cache.may_store()
    result = {}
    for month, start, end, _whole in pieces:
        counts = range_counts(utc_start(start), utc_start(end + timedelta(days=1)),
                              _steps_from(steps, start - lookback))
        result[month] = counts
        if month in stale and may_store:
            month_cache.store_month(month, stale[month], keys[month], counts)
    return result


def grouped_counts(period, calendar=None, today=None):
    """({(procedure_id, assignee_id): Counts}, monthly bars) for a period.

    Whole months that ended more than a day ago come from the stored counts (counted
    and stored on first use, month_cache.py); the rest, and the edges of a custom
    period, are counted live. Working days count holidays from two years before the
    month (or the edge) began, so a stored month equals a live count of it.
    """
    calendar = calendar or WorkingCalendar.load()
    today = today or local_today()
    pieces = _pieces(period)
    keys = {month: month_cache.month_key(calendar, start, end) for month, start, end, whole in pieces
            if whole and month_cache.storable(end, today)}
    stored, stale = month_cache.read_states(keys) if keys else ([], {})
    pairs, bars = month_cache.stored_sums(stored) if stored else ({}, {})
    live = [piece for piece in pieces if piece[0] not in stored]
    for month, counts in (_count_live(live, calendar, stale, keys) if live else {}).items():
        bars[month] = _bar(counts)
        for pair, values in counts.items():
            total = pairs.setdefault(pair, [0] * len(MONTH_COUNTS))
            total[:] = [a + b for a, b in zip(total, values, strict=True)]
    result = {pair: Counts(pair, "", **dict(zip(MONTH_COUNTS, values, strict=True))) for pair, values in pairs.items()}
    for pair, (within_time, overdue) in open_counts(period.end_utc, today).items():
        total = result.setdefault(pair, Counts(pair))
        total.within_time, total.overdue = within_time, overdue
    return result, [{"month": month, **bars.get(month, dict.fromkeys(BARS, 0))} for month in period.months]


def _rollup(values_by_pair, key_of, names):
    """Sum the (procedure, assignee) rows into one Counts per key_of(procedure, assignee)."""
    sums = {}
    for (procedure_id, assignee_id), values in values_by_pair.items():
        key = key_of(procedure_id, assignee_id)
        total = sums.get(key)
        sums[key] = values if total is None else [a + b for a, b in zip(total, values, strict=True)]
    rows = [Counts(key, names.get(key, ""), *values) for key, values in sums.items()]
    return sorted(rows, key=lambda r: (-r.received - r.resolved, r.name))


def satisfaction(period):
    """Ratings given in the period: {"satisfied": n, "neutral": n, "unsatisfied": n, "total", "pct"}."""
    query = (sa.select(Rating.score, sa.func.count())
             .where(Rating.created_at >= period.start_utc, Rating.created_at < period.end_utc)
             .group_by(Rating.score))
    counts = {"satisfied": 0, "neutral": 0, "unsatisfied": 0}
    for score, n in db.session.execute(query):
        counts[score] = counts.get(score, 0) + int(n)
    total = sum(counts.values())
    counts["total"] = total
    counts["pct"] = _pct(counts["satisfied"], total)
    return counts


def postal(period):
    """The post's figures for the period (items handed, delivered, returned, fees collected)."""
    return postal_figures(period.start, period.end)


def fees(period):
    """Fees due on the period's dossiers and collected by channel; the carrier's cash is the post's figure."""
    carrier = postal_figures(period.start, period.end)["fees_collected_vnd"]
    return fee_figures(period.start_utc, period.end_utc, carrier_vnd=carrier)


def compute_figures(period, with_staff=True, calendar=None, today=None):
    """All figures for a period: overall, per field, per procedure, per staff member, per month."""
    grouped, months = grouped_counts(period, calendar, today)
    procedures = {p.id: (p.name, p.field_id) for p in
                  db.session.execute(sa.select(Procedure.id, Procedure.name, Procedure.field_id))}
    field_names = dict(db.session.execute(sa.select(Field.id, Field.name)).all())
    values = {pair: [getattr(counts, name) for name in COUNT_NAMES] for pair, counts in grouped.items()}
    overall = _rollup(values, lambda _p, _a: None, {None: "Tổng cộng"})
    overall = overall[0] if overall else Counts(key=None, name="Tổng cộng")
    by_field = _rollup(values, lambda p, _a: procedures.get(p, ("", None))[1], field_names)
    by_procedure = _rollup(values, lambda p, _a: p, {k: v[0] for k, v in procedures.items()})
    by_staff = []
    if with_staff:
        user_names = {u.id: u.full_name or u.username for u in
                      db.session.execute(sa.select(User.id, User.full_name, User.username))}
        user_names[None] = "Chưa phân công"
        by_staff = _rollup(values, lambda _p, a: a, user_names)
    return Figures(period=period, overall=overall, by_field=by_field, by_procedure=by_procedure,
                   by_staff=by_staff, months=months, satisfaction=satisfaction(period),
                   postal=postal(period), helped=helped_figures(period, overall.received), fees=fees(period))


@dataclass
class Comparison:
    """The headline figures of the chosen period beside the period before and the same period a
    year earlier (the leader's question: better or worse than before?)."""

    rows: list  # [(label, now, previous, last year, "pct" | "count", higher_is_better)]
    previous: object
    last_year: object


def overall_counts(period, calendar=None, today=None):
    """The period's overall Counts (no per-field or per-staff rows)."""
    grouped, _months = grouped_counts(period, calendar, today)
    total = Counts(key=None, name="Tổng cộng")
    for counts in grouped.values():
        total.add(counts)
    return total


def comparison(figures, calendar=None, today=None):
    """Comparison of `figures` with the previous period and the same period last year."""
    before, year_ago = previous_period(figures.period), same_period_last_year(figures.period)
    periods = [(figures.overall, figures.satisfaction)] + [
        (overall_counts(p, calendar, today), satisfaction(p)) for p in (before, year_ago)]

    def row(label, value, kind, better):
        return (label, *[value(c, s) for c, s in periods], kind, better)

    rows = [
        row(N_("Hồ sơ tiếp nhận"), lambda c, s: c.received, "count", True),
        row(N_("Tỷ lệ đúng hạn"), lambda c, s: c.on_time_pct, "pct", True),
        row(N_("Trễ hạn (đã giải quyết)"), lambda c, s: c.late, "count", False),
        row(N_("Đang xử lý quá hạn"), lambda c, s: c.overdue, "count", False),
        row(N_("Tỷ lệ nộp trực tuyến"), lambda c, s: c.online_share, "pct", True),
        row(N_("Mức độ hài lòng"), lambda c, s: (s or {}).get("pct"), "pct", True),
    ]
    return Comparison(rows=rows, previous=before, last_year=year_ago)


def register_rows(period):
    """The dossier register (Form 07): every dossier that arrived in the period, oldest first.

    Plain column rows (no ORM objects), so a year's register stays quick to build.
    """
    d = Dossier
    arrival = sa.func.coalesce(d.received_at, d.submitted_at)
    query = (
        sa.select(d.code, d.official_code, d.applicant_name, d.applicant_address, d.procedure_snapshot,
                  Procedure.name.label("procedure_name"), d.channel, d.received_at, d.submitted_at,
                  d.due_date, d.ready_at, d.finished_at, d.status, d.competent_unit, d.receiving_unit,
                  d.supplement_count, d.missed_due_date, d.result_method, d.fee_vnd,
                  paid_channel_column().label("paid_channel"))
        .join(Procedure, Procedure.id == d.procedure_id)
        .where(d.status != Status.DRAFT, d.submitted_at.isnot(None),
               arrived_between(period.start_utc, period.end_utc))
        .order_by(arrival, d.id)
    )
    return db.session.execute(query).all()


__all__ = ["Comparison", "Counts", "Figures", "comparison", "compute_figures", "fees", "register_rows"]
