"""The figures, computed by SQL aggregation: one scan grouped by procedure and assignee, rolled up.

Definitions (docs/reports.md):
- received: dossiers that arrived in the period (received_at, or submitted_at if never received).
- resolved: dossiers returned in the period; early / on time / late compare the local date
  of finished_at with due_date (no due date counts as on time).
- refused / withdrawn: finished in the period with that status.
- in progress: open dossiers that arrived before the period's end; overdue if due_date < today.
- processing time: working days from the received date to the finished date (commune.core.calendar).
"""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from ..accounts.models import User
from ..catalog.models import Field, Procedure
from ..core.calendar import WorkingCalendar
from ..core.dossier import CHANNEL_COUNTER, CHANNEL_ONLINE, CHANNEL_POST, Dossier
from ..core.timeutil import local_today
from ..core.workflow import OPEN, Status
from ..extensions import db
from .periods import UTC_OFFSET
from .sql import day_number, python_day_number, step_ladder, weekend_days_upto

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


def _calendar_steps(calendar, first, last):
    """Step function: weekday days off minus weekend working days, counted up to each day."""
    steps, total, day = [], 0, first
    while day <= last:
        weekend = day.weekday() >= 5
        working = calendar.is_working_day(day)
        if working == weekend:  # a weekday off, or a working weekend day
            total += 1 if weekend is False else -1
            steps.append((python_day_number(day), total))
        day += timedelta(days=1)
    return steps


def _nonworking_upto(number, steps):
    """SQL: days off (weekends, holidays, extra days off; minus make-up days) up to a day number."""
    return weekend_days_upto(number) + step_ladder(number, steps)


def _arrived_in(period):
    """Arrived in the period, written so that the received_at / submitted_at indexes apply."""
    d = Dossier
    return sa.or_(
        sa.and_(d.received_at >= period.start_utc, d.received_at < period.end_utc),
        sa.and_(d.received_at.is_(None), d.submitted_at >= period.start_utc, d.submitted_at < period.end_utc),
    )


def _use_indexes(period):
    """Whether to fetch the period's dossiers through indexes rather than read the whole table.

    SQLite only (PostgreSQL's planner weighs this itself). Fetching a row through an
    index costs several times reading it in a scan, so the indexes pay when the period
    holds under a fifth of all dossiers; two index-only counts tell (well under 1 ms).
    """
    if db.engine.dialect.name != "sqlite":
        return True
    d = Dossier
    total = db.session.scalar(sa.select(sa.func.count()).select_from(d))
    finished = db.session.scalar(sa.select(sa.func.count()).select_from(d).where(
        d.finished_at >= period.start_utc, d.finished_at < period.end_utc))
    return 5 * finished < total


def _relevant(period, in_finish):
    """Dossiers that arrived or finished in the period, or are still open."""
    d = Dossier
    is_open = d.status.in_([s.value for s in OPEN])
    return sa.or_(_arrived_in(period), in_finish, is_open)


def _base(period, today):
    """The materialized CTE: one narrow row per relevant dossier, each expression computed once.

    Day numbers are computed for every row (cheaper than testing "returned in the
    period" again for each); the flags say which rows count for what.
    """
    d = Dossier
    arrival = sa.func.coalesce(d.received_at, d.submitted_at)
    in_finish = sa.and_(d.finished_at >= period.start_utc, d.finished_at < period.end_utc)
    # An apology's new date does not make a late dossier on time: judge by the first date missed.
    promised = sa.func.coalesce(d.missed_due_date, d.due_date)
    finish = sa.case((in_finish, sa.case((d.status == Status.RETURNED.value, 1),
                                         (d.status == Status.REFUSED.value, 2),
                                         (d.status == Status.WITHDRAWN.value, 3), else_=0)), else_=0)
    select = (
        sa.select(
            d.procedure_id.label("procedure_id"), d.assignee_id.label("assignee_id"),
            d.channel.label("channel"), arrival.label("arrival"), finish.label("finish"),
            sa.case((d.status.in_([s.value for s in OPEN]), sa.case((promised < today, 2), else_=1)),
                    else_=0).label("open"),
            day_number(promised).label("due_n"), day_number(d.received_at).label("received_n"),
            day_number(d.finished_at).label("finished_n"),
        )
        .where(d.status != Status.DRAFT.value, d.submitted_at.isnot(None), _relevant(period, in_finish))
    )
    if not _use_indexes(period):
        select = select.with_hint(d, "NOT INDEXED", dialect_name="sqlite")
    return select.cte("figures_base").prefix_with("MATERIALIZED")


def _sum(condition, value=1):
    return sa.func.coalesce(sa.func.sum(sa.case((condition, value), else_=0)), 0)


def _timing(c):
    """-1 early, 0 on time (or no due date), 1 late; NULL if not returned in the period."""
    return sa.case((c.finish != 1, None), (c.due_n.is_(None), 0), (c.finished_n < c.due_n, -1),
                   (c.finished_n == c.due_n, 0), else_=1)


def _count_columns(c, period, steps):
    arrived = sa.and_(c.arrival >= period.start_utc, c.arrival < period.end_utc)
    timing = _timing(c)
    work_days = (c.finished_n - c.received_n) - (_nonworking_upto(c.finished_n, steps)
                                                 - _nonworking_upto(c.received_n, steps))
    timed = sa.and_(c.finish == 1, c.received_n.isnot(None))
    return [
        _sum(sa.and_(arrived, c.channel == CHANNEL_ONLINE)),
        _sum(sa.and_(arrived, c.channel == CHANNEL_COUNTER)),
        _sum(sa.and_(arrived, c.channel == CHANNEL_POST)),
        _sum(timing == -1),
        _sum(timing == 0),
        _sum(timing == 1),
        _sum(c.finish == 2),
        _sum(c.finish == 3),
        _sum(sa.and_(c.open == 1, c.arrival < period.end_utc)),
        _sum(sa.and_(c.open == 2, c.arrival < period.end_utc)),
        _sum(timed),
        _sum(timed, work_days),
    ]


def _month_starts(period):
    return [date.fromisoformat(f"{month}-01") for month in period.months]


def _statements(period, calendar, today):
    """Two statements on one CTE: counts per (procedure, assignee), and counts per month.

    The month pass groups by (arrival month, finishing month, timing): a few dozen rows.
    """
    base = _base(period, today)
    c = base.c
    steps = _calendar_steps(calendar, period.start - timedelta(days=730), period.end + timedelta(days=1))
    groups = sa.select(c.procedure_id, c.assignee_id, *_count_columns(c, period, steps)
                       ).group_by(c.procedure_id, c.assignee_id)
    starts = _month_starts(period)
    arrival_month = sa.case(
        (sa.and_(c.arrival >= period.start_utc, c.arrival < period.end_utc),
         step_ladder(c.arrival, [(_utc(day), i) for i, day in enumerate(starts) if i])), else_=None)
    finish_month = sa.case(
        (c.finish == 1, step_ladder(c.finished_n, [(python_day_number(day), i)
                                                   for i, day in enumerate(starts) if i])), else_=None)
    timing = _timing(c)
    months = (sa.select(arrival_month.label("am"), finish_month.label("fm"), timing.label("t"), sa.func.count())
              .where(sa.or_(c.finish == 1, sa.and_(c.arrival >= period.start_utc, c.arrival < period.end_utc)))
              .group_by(arrival_month, finish_month, timing))
    return groups, months


def _utc(day):
    """The first instant of a local day as naive UTC."""
    return datetime.combine(day, datetime.min.time()) - UTC_OFFSET


def grouped_counts(period, calendar=None, today=None):
    """({(procedure_id, assignee_id): Counts}, monthly rows) for a period."""
    calendar = calendar or WorkingCalendar.load()
    today = today or local_today()
    groups, month_counts = _statements(period, calendar, today)
    result = {}
    for procedure_id, assignee_id, *values in db.session.execute(groups):
        result[(procedure_id, assignee_id)] = Counts((procedure_id, assignee_id), "", *map(int, values))
    months = [{"month": m, "received": 0, "early": 0, "on_time": 0, "late": 0} for m in period.months]
    for arrival_month, finish_month, timing, n in db.session.execute(month_counts):
        if arrival_month is not None:
            months[arrival_month]["received"] += n
        if finish_month is not None:
            months[finish_month][TIMING_NAMES[timing]] += n
    return result, months


TIMING_NAMES = {-1: "early", 0: "on_time", 1: "late"}


def _rollup(grouped, key_of, names):
    rows = {}
    for (procedure_id, assignee_id), counts in grouped.items():
        key = key_of(procedure_id, assignee_id)
        row = rows.setdefault(key, Counts(key=key, name=names.get(key, "")))
        row.add(counts)
    return sorted(rows.values(), key=lambda r: (-r.received - r.resolved, r.name))


def satisfaction(period):
    """Ratings given in the period: {"satisfied": n, "neutral": n, "unsatisfied": n, "total", "pct"}."""
    try:
        from ..tracking.models import Rating
    except ImportError:
        return None
    if not sa.inspect(db.engine).has_table(Rating.__tablename__):
        return None
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
    """The postal helper's figures for the period, if the postal feature provides them."""
    try:
        from ..postal.queries import postal_figures
    except ImportError:
        return None
    return postal_figures(period.start, period.end)


def compute_figures(period, with_staff=True, calendar=None, today=None):
    """All figures for a period: overall, per field, per procedure, per staff member, per month."""
    grouped, months = grouped_counts(period, calendar, today)
    procedures = {p.id: (p.name, p.field_id) for p in
                  db.session.execute(sa.select(Procedure.id, Procedure.name, Procedure.field_id))}
    field_names = dict(db.session.execute(sa.select(Field.id, Field.name)).all())
    overall = Counts(key=None, name="Tổng cộng")
    for counts in grouped.values():
        overall.add(counts)
    by_field = _rollup(grouped, lambda p, _a: procedures.get(p, ("", None))[1], field_names)
    by_procedure = _rollup(grouped, lambda p, _a: p, {k: v[0] for k, v in procedures.items()})
    by_staff = []
    if with_staff:
        user_names = {u.id: u.full_name or u.username for u in
                      db.session.execute(sa.select(User.id, User.full_name, User.username))}
        user_names[None] = "Chưa phân công"
        by_staff = _rollup(grouped, lambda _p, a: a, user_names)
    return Figures(period=period, overall=overall, by_field=by_field, by_procedure=by_procedure,
                   by_staff=by_staff, months=months, satisfaction=satisfaction(period),
                   postal=postal(period))


def register_rows(period):
    """The dossier register (Form 07): every dossier that arrived in the period, oldest first.

    Plain column rows (no ORM objects), so a year's register stays quick to build.
    """
    d = Dossier
    arrival = sa.func.coalesce(d.received_at, d.submitted_at)
    query = (
        sa.select(d.code, d.applicant_name, d.applicant_address, d.procedure_snapshot,
                  Procedure.name.label("procedure_name"), d.channel, d.received_at, d.submitted_at,
                  d.due_date, d.ready_at, d.finished_at, d.status)
        .join(Procedure, Procedure.id == d.procedure_id)
        .where(d.status != Status.DRAFT.value, d.submitted_at.isnot(None), _arrived_in(period))
        .order_by(arrival, d.id)
    )
    return db.session.execute(query).all()


__all__ = ["Counts", "Figures", "compute_figures", "register_rows"]
