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
    index costs several times reading it in a scan, so the indexes pay when under a
    fifth of all dossiers finished in the period; two index-only counts tell (a few ms).
    A fixed cut on the period's length was wrong both ways (a quarter is ~10 % of the
    rows after two years, a year ~50 %, and both shrink as the years add up).
    """
    if db.engine.dialect.name != "sqlite":
        return True
    d = Dossier
    total = db.session.scalar(sa.select(sa.func.count()).select_from(d))
    finished = db.session.scalar(sa.select(sa.func.count()).select_from(d).where(
        d.finished_at >= period.start_utc, d.finished_at < period.end_utc))
    return 5 * finished < total


def _relevant(period, in_finish):
    """Dossiers that arrived or finished in the period, or are still open.

    Through indexes each OR branch is an index range; for a scan, COALESCE keeps
    SQLite from choosing the (then slower) multi-index OR.
    """
    d = Dossier
    is_open = d.status.in_([s.value for s in OPEN])
    if _use_indexes(period):
        return sa.or_(_arrived_in(period), in_finish, is_open)
    arrival = sa.func.coalesce(d.received_at, d.submitted_at)
    return sa.or_(sa.and_(arrival >= period.start_utc, arrival < period.end_utc), in_finish, is_open)


def _base(period, today):
    """The materialized CTE: one narrow row per relevant dossier, each test made once.

    `outcome`: 1 early, 2 on time, 3 late (returned in the period), 4 refused, 5 withdrawn
    (finished in the period), else 0. `arrived_by`: the channel if it arrived in the period.
    """
    d = Dossier
    arrival = sa.func.coalesce(d.received_at, d.submitted_at)
    in_arrival = sa.and_(arrival >= period.start_utc, arrival < period.end_utc)
    in_finish = sa.and_(d.finished_at >= period.start_utc, d.finished_at < period.end_utc)
    # An apology's new date does not make a late dossier on time: judge by the first date missed.
    promised = sa.func.coalesce(d.missed_due_date, d.due_date)
    finished_n = day_number(d.finished_at)
    # 1 + (-1, 0 or 1 as the local finishing day is before, on or after the date; 0 without a date).
    timing = 2 + sa.func.coalesce(sa.cast(sa.func.sign(finished_n - day_number(promised)), sa.Integer), 0)
    outcome = sa.case((in_finish, sa.case((d.status == Status.RETURNED.value, timing),
                                          (d.status == Status.REFUSED.value, 4),
                                          (d.status == Status.WITHDRAWN.value, 5), else_=0)), else_=0)
    open_ = sa.and_(d.status.in_([s.value for s in OPEN]), arrival < period.end_utc)
    return (
        sa.select(
            d.procedure_id.label("procedure_id"), d.assignee_id.label("assignee_id"),
            sa.case((in_arrival, d.channel), else_=None).label("arrived_by"),
            arrival.label("arrival"),
            outcome.label("outcome"),
            sa.case((open_, sa.case((promised < today, 2), else_=1)), else_=0).label("open"),
            day_number(d.received_at).label("received_n"), finished_n.label("finished_n"),
        )
        .where(d.status != Status.DRAFT.value, d.submitted_at.isnot(None), _relevant(period, in_finish))
        .cte("figures_base")
        .prefix_with("MATERIALIZED")
    )


def _sum(condition, value=1):
    return sa.func.coalesce(sa.func.sum(sa.case((condition, value), else_=0)), 0)


def _count_columns(c, steps):
    returned = sa.between(c.outcome, 1, 3)
    work_days = (c.finished_n - c.received_n) - (_nonworking_upto(c.finished_n, steps)
                                                 - _nonworking_upto(c.received_n, steps))
    timed = sa.and_(returned, c.received_n.isnot(None))
    return [
        _sum(c.arrived_by == CHANNEL_ONLINE),
        _sum(c.arrived_by == CHANNEL_COUNTER),
        _sum(c.arrived_by == CHANNEL_POST),
        *[_sum(c.outcome == n) for n in (1, 2, 3, 4, 5)],
        _sum(c.open == 1),
        _sum(c.open == 2),
        _sum(timed),
        _sum(timed, work_days),
    ]


def _month_starts(period):
    return [date.fromisoformat(f"{month}-01") for month in period.months]


def _figures_statement(period, calendar, today):
    """One statement on one CTE: counts per (procedure, assignee), then counts per month.

    The month part groups by (arrival month, finishing month, outcome): a few dozen rows.
    """
    base = _base(period, today)
    c = base.c
    steps = _calendar_steps(calendar, period.start - timedelta(days=730), period.end + timedelta(days=1))
    groups = sa.select(sa.literal(1).label("part"), c.procedure_id, c.assignee_id,
                       *_count_columns(c, steps)).group_by(c.procedure_id, c.assignee_id)
    starts = _month_starts(period)
    arrival_month = step_ladder(c.arrival, [(_utc(day), i) for i, day in enumerate(starts) if i])
    finish_month = step_ladder(c.finished_n, [(python_day_number(day), i) for i, day in enumerate(starts) if i])
    returned = sa.between(c.outcome, 1, 3)
    month_of_arrival = sa.case((c.arrived_by.isnot(None), arrival_month), else_=None)
    month_returned = sa.case((returned, finish_month), else_=None)
    zeros = [sa.literal(0)] * (len(COUNT_NAMES) - 2)
    months = (sa.select(sa.literal(2), month_of_arrival, month_returned, c.outcome, sa.func.count(), *zeros)
              .where(sa.or_(returned, c.arrived_by.isnot(None)))
              .group_by(month_of_arrival, month_returned, c.outcome))
    return sa.union_all(groups, months)


def _utc(day):
    """The first instant of a local day as naive UTC."""
    return datetime.combine(day, datetime.min.time()) - UTC_OFFSET


def grouped_counts(period, calendar=None, today=None):
    """({(procedure_id, assignee_id): Counts}, monthly rows) for a period."""
    calendar = calendar or WorkingCalendar.load()
    today = today or local_today()
    result = {}
    months = [{"month": m, "received": 0, "early": 0, "on_time": 0, "late": 0} for m in period.months]
    for part, first, second, *values in db.session.execute(_figures_statement(period, calendar, today)):
        if part == 1:  # first, second = procedure_id, assignee_id
            result[(first, second)] = Counts((first, second), "", *map(int, values))
            continue
        outcome, n = values[0], int(values[1])  # first, second = arrival month, month returned
        if first is not None:
            months[first]["received"] += n
        if second is not None:
            months[second][OUTCOME_NAMES[outcome]] += n
    return result, months


OUTCOME_NAMES = {1: "early", 2: "on_time", 3: "late"}


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
