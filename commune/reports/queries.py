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
from datetime import timedelta

import sqlalchemy as sa

from ..accounts.models import User
from ..catalog.models import Field, Procedure
from ..core.calendar import WorkingCalendar
from ..core.dossier import CHANNEL_COUNTER, CHANNEL_ONLINE, CHANNEL_POST, Dossier
from ..core.timeutil import local_today
from ..core.workflow import OPEN, Status
from ..extensions import db
from .sql import EPOCH_DATE, day_number, python_day_number, step_ladder, weekend_days_upto

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


def _relevant(period, in_finish):
    """Dossiers that arrived or finished in the period, or are still open.

    For a short period each OR branch uses an index and few rows are read; for a
    long one a plain scan is faster than fetching most rows through indexes.
    """
    d = Dossier
    is_open = d.status.in_([s.value for s in OPEN])
    if (period.end - period.start).days > 62:
        arrival = sa.func.coalesce(d.received_at, d.submitted_at)
        return sa.or_(sa.and_(arrival >= period.start_utc, arrival < period.end_utc), in_finish, is_open)
    return sa.or_(_arrived_in(period), in_finish, is_open)


def _base(period, today):
    """The materialized CTE: one narrow row per relevant dossier, local dates computed once."""
    d = Dossier
    arrival = sa.func.coalesce(d.received_at, d.submitted_at)
    in_arrival = sa.and_(arrival >= period.start_utc, arrival < period.end_utc)
    in_finish = sa.and_(d.finished_at >= period.start_utc, d.finished_at < period.end_utc)
    open_ = sa.and_(d.status.in_([s.value for s in OPEN]), arrival < period.end_utc)
    returned = sa.and_(in_finish, d.status == Status.RETURNED.value)
    # An apology's new date does not make a late dossier on time: judge by the first date missed.
    promised = sa.func.coalesce(d.missed_due_date, d.due_date)

    def flag(condition):
        return sa.case((condition, 1), else_=0)

    def when_returned(value):
        return sa.case((returned, value), else_=None)

    base = (
        sa.select(
            d.procedure_id.label("procedure_id"), d.assignee_id.label("assignee_id"),
            d.channel.label("channel"), d.status.label("status"),
            flag(in_arrival).label("arrived"), flag(in_finish).label("finished"),
            flag(returned).label("returned"),
            sa.case((open_, sa.case((promised < today, 2), else_=1)), else_=0).label("open"),
            when_returned(day_number(promised)).label("due_n"),
            when_returned(day_number(d.received_at)).label("received_n"),
            when_returned(day_number(d.finished_at)).label("finished_n"),
            sa.case((in_arrival, day_number(arrival)), else_=None).label("arrival_n"),
        )
        .where(d.status != Status.DRAFT.value, d.submitted_at.isnot(None), _relevant(period, in_finish))
        .cte("figures_base")
        .prefix_with("MATERIALIZED")
    )
    return base


def _sum(condition, value=1):
    return sa.func.coalesce(sa.func.sum(sa.case((condition, value), else_=0)), 0)


def _timing(c):
    """-1 early, 0 on time (or no due date), 1 late; NULL if not returned in the period."""
    return sa.case((c.returned != 1, None), (c.due_n.is_(None), 0), (c.finished_n < c.due_n, -1),
                   (c.finished_n == c.due_n, 0), else_=1)


def _count_columns(base, steps):
    c = base.c
    timing = _timing(c)
    work_days = (c.finished_n - c.received_n) - (_nonworking_upto(c.finished_n, steps)
                                                 - _nonworking_upto(c.received_n, steps))
    timed = sa.and_(c.returned == 1, c.received_n.isnot(None))
    return [
        _sum(sa.and_(c.arrived == 1, c.channel == CHANNEL_ONLINE)),
        _sum(sa.and_(c.arrived == 1, c.channel == CHANNEL_COUNTER)),
        _sum(sa.and_(c.arrived == 1, c.channel == CHANNEL_POST)),
        _sum(timing == -1),
        _sum(timing == 0),
        _sum(timing == 1),
        _sum(sa.and_(c.finished == 1, c.status == Status.REFUSED.value)),
        _sum(sa.and_(c.finished == 1, c.status == Status.WITHDRAWN.value)),
        _sum(c.open == 1),
        _sum(c.open == 2),
        _sum(timed),
        _sum(timed, work_days),
    ]


def _figures_statement(period, calendar, today):
    """One statement: counts per (procedure, assignee), resolved per month, received per month."""
    base = _base(period, today)
    c = base.c
    steps = _calendar_steps(calendar, period.start - timedelta(days=730), period.end + timedelta(days=1))
    blank = sa.null()
    groups = sa.select(sa.literal("g").label("part"), c.procedure_id, c.assignee_id,
                       sa.cast(blank, sa.Integer).label("day"), *_count_columns(base, steps)
                       ).group_by(c.procedure_id, c.assignee_id)
    zeros = [sa.literal(0)] * (len(COUNT_NAMES) - 3)
    # Per day number (≤ 366 rows each); Python folds the days into months.
    resolved = sa.select(sa.literal("m"), sa.cast(blank, sa.Integer), sa.cast(blank, sa.Integer),
                         c.finished_n, _sum(_timing(c) == -1), _sum(_timing(c) == 0),
                         _sum(_timing(c) == 1),
                         *zeros).where(c.returned == 1).group_by(c.finished_n)
    received = sa.select(sa.literal("r"), sa.cast(blank, sa.Integer), sa.cast(blank, sa.Integer),
                         c.arrival_n, sa.func.count(), sa.literal(0), sa.literal(0),
                         *zeros).where(c.arrived == 1).group_by(c.arrival_n)
    return sa.union_all(groups, resolved, received)


def grouped_counts(period, calendar=None, today=None):
    """One SQL statement: ({(procedure_id, assignee_id): Counts}, monthly rows)."""
    calendar = calendar or WorkingCalendar.load()
    today = today or local_today()
    months = {m: {"month": m, "received": 0, "early": 0, "on_time": 0, "late": 0} for m in period.months}
    result = {}
    for row in db.session.execute(_figures_statement(period, calendar, today)):
        part, procedure_id, assignee_id, day, *values = row
        month = _month_of(day) if day is not None else None
        if part == "g":
            counts = Counts(key=(procedure_id, assignee_id))
            for name, value in zip(COUNT_NAMES, values, strict=True):
                setattr(counts, name, int(value or 0))
            result[(procedure_id, assignee_id)] = counts
        elif part == "m" and month in months:
            for key, value in zip(("early", "on_time", "late"), values[:3], strict=True):
                months[month][key] += int(value or 0)
        elif part == "r" and month in months:
            months[month]["received"] += int(values[0] or 0)
    return result, list(months.values())


def _month_of(day_n):
    return (EPOCH_DATE + timedelta(days=int(day_n))).strftime("%Y-%m")


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
