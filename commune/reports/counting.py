"""The SQL that counts dossiers: one range of time grouped by (procedure, assignee), and the open ones.

A range lies inside one local month (queries.py cuts periods into months), so its
rows feed both the tables and that month's bars; closed months are stored
(month_cache.py) and a year reads at most one month here.
"""
from datetime import datetime, timedelta

import sqlalchemy as sa

from ..dossiers.arrival import arrived_between
from ..dossiers.models import CHANNEL_COUNTER, CHANNEL_ONLINE, CHANNEL_POST, Dossier
from ..dossiers.states import OPEN, Status
from ..extensions import db
from .periods import UTC_OFFSET
from .sql import day_number, python_day_number, step_ladder, weekend_days_upto


def calendar_steps(calendar, first, last):
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


def utc_start(day):
    """The first instant of a local day as naive UTC."""
    return datetime.combine(day, datetime.min.time()) - UTC_OFFSET


def _nonworking_upto(number, steps):
    """SQL: days off (weekends, holidays, extra days off; minus make-up days) up to a day number."""
    return weekend_days_upto(number) + step_ladder(number, steps)


def _arrival():
    return sa.func.coalesce(Dossier.received_at, Dossier.submitted_at)



def submitted():
    return sa.and_(Dossier.status != Status.DRAFT, Dossier.submitted_at.isnot(None))


def promised_date():
    """The date a dossier is judged by: an apology's new date does not make a late dossier on time,
    so the first date missed counts."""
    return sa.func.coalesce(Dossier.missed_due_date, Dossier.due_date)


def finished_between(start_utc, end_utc):
    return sa.and_(Dossier.finished_at >= start_utc, Dossier.finished_at < end_utc)


def timing():
    """1 early, 2 on time (or no date), 3 late: 2 + the sign of (local finishing day - promised date)."""
    finished_n = day_number(Dossier.finished_at)
    return 2 + sa.func.coalesce(sa.cast(sa.func.sign(finished_n - day_number(promised_date())), sa.Integer), 0)


def open_before(end_utc):
    """Open dossiers that arrived before `end` (the figures' "in progress")."""
    d = Dossier
    return sa.and_(d.status.in_([s.value for s in OPEN]), d.submitted_at.isnot(None), _arrival() < end_utc)


def open_overdue(today):
    """Of the open ones: past the promised date (local `today`)."""
    return promised_date() < today


def _range_rows(start_utc, end_utc):
    """The materialized CTE: one narrow row per dossier that arrived or finished in the range.

    `outcome`: 1 early, 2 on time, 3 late (returned in the range), 4 refused, 5 withdrawn
    (finished in the range), else 0. `arrived_by`: the channel if it arrived in the range.
    """
    d = Dossier
    arrival = _arrival()
    in_finish = finished_between(start_utc, end_utc)
    finished_n = day_number(d.finished_at)
    outcome = sa.case((in_finish, sa.case((d.status == Status.RETURNED, timing()),
                                          (d.status == Status.REFUSED, 4),
                                          (d.status == Status.WITHDRAWN, 5), else_=0)), else_=0)
    in_arrival = sa.and_(arrival >= start_utc, arrival < end_utc)
    return (
        sa.select(
            d.procedure_id.label("procedure_id"), d.assignee_id.label("assignee_id"),
            sa.case((in_arrival, d.channel), else_=None).label("arrived_by"),
            outcome.label("outcome"),
            day_number(d.received_at).label("received_n"), finished_n.label("finished_n"),
        )
        .where(submitted(), sa.or_(arrived_between(start_utc, end_utc), in_finish))
        .cte("range_rows")
        .prefix_with("MATERIALIZED")
    )


def _sum(condition, value=1):
    return sa.func.coalesce(sa.func.sum(sa.case((condition, value), else_=0)), 0)


def range_counts(start_utc, end_utc, steps):
    """{(procedure_id, assignee_id): [the MONTH_COUNTS values]} for dossiers of [start, end).

    Arrivals count by channel; returned / refused / withdrawn by the finishing time;
    `timed` and `work_days` give the average processing time in working days (`steps`
    from calendar_steps must cover every received date that matters).
    """
    c = _range_rows(start_utc, end_utc).c
    returned = sa.between(c.outcome, 1, 3)
    timed = sa.and_(returned, c.received_n.isnot(None))
    work_days = (c.finished_n - c.received_n) - (_nonworking_upto(c.finished_n, steps)
                                                 - _nonworking_upto(c.received_n, steps))
    query = (
        sa.select(c.procedure_id, c.assignee_id,
                  _sum(c.arrived_by == CHANNEL_ONLINE), _sum(c.arrived_by == CHANNEL_COUNTER),
                  _sum(c.arrived_by == CHANNEL_POST),
                  *[_sum(c.outcome == n) for n in (1, 2, 3, 4, 5)],
                  _sum(timed), _sum(timed, work_days))
        .group_by(c.procedure_id, c.assignee_id)
    )
    return {(row[0], row[1]): [int(v) for v in row[2:]] for row in db.session.execute(query)}


def open_counts(end_utc, today):
    """{(procedure_id, assignee_id): [within time, overdue]}: open dossiers that arrived before `end`."""
    d = Dossier
    overdue = open_overdue(today)
    query = (
        sa.select(d.procedure_id, d.assignee_id, _sum(sa.not_(overdue) | promised_date().is_(None)), _sum(overdue))
        .where(open_before(end_utc))
        .group_by(d.procedure_id, d.assignee_id)
    )
    return {(row[0], row[1]): [int(row[2]), int(row[3])] for row in db.session.execute(query)}
