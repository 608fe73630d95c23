"""Stored counts of closed months, and keeping them true when a dossier of a past month changes.

- A month is *stored* only once it ended more than a day ago, so no transaction
  that began while it was open can still be writing to it.
- Every flush that adds, changes or deletes a dossier whose arrival or finishing
  time falls in a past month bumps that month's `stamp` and clears its `key`, in the
  same transaction (`_remember_months` / `_bump_months`). ORM bulk statements on
  dossiers clear every month.
- Counts are written with a compare-and-set on the stamp read *before* computing
  them: a change committed meanwhile makes the write a no-op, never a stale month.
- `key` fingerprints what else the counts depend on: the formula, the holidays
  package and the admin's calendar days the month's working days can see; an
  upgrade, or a day off added in or before a month's reach, makes it stale.
"""
import hashlib
from datetime import datetime, timedelta
from importlib.metadata import version

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError, IntegrityError

from ..core.timeutil import local_today, utcnow
from ..dossiers.models import Dossier
from ..extensions import db
from .models import MONTH_COUNTS, ReportMonth, ReportMonthCount
from .periods import UTC_OFFSET

FORMULA_VERSION = 1  # raise when the meaning of a stored count changes
LOOKBACK_DAYS = 730  # working days are counted with the holidays of two years before the month
WATCHED = ("procedure_id", "assignee_id", "channel", "status", "received_at", "submitted_at",
           "finished_at", "due_date", "missed_due_date")
TIMES = ("received_at", "submitted_at", "finished_at")


def month_key(calendar, first, last):
    """What a month's stored counts depend on besides its dossiers: the formula, the holidays
    package and the admin's days off / make-up days that its working days can see (from
    LOOKBACK_DAYS before the month to its end). A day off added for next month leaves it be."""
    since = first - timedelta(days=LOOKBACK_DAYS)
    overrides = ",".join(f"{day.isoformat()}={kind}" for day, kind in sorted(calendar.overrides.items())
                         if since <= day <= last)
    text = f"{FORMULA_VERSION}|{version('holidays')}|{overrides}"
    return hashlib.sha1(text.encode()).hexdigest()


def storable(month_last_day, today):
    """A month may be stored once it ended more than a day ago (by the real clock too)."""
    return month_last_day < min(today, local_today()) - timedelta(days=1)


def read_states(keys):
    """(months stored under their key in `keys` {month: key}, {month: stamp or None} for the others)."""
    m = ReportMonth
    stored, stale = [], dict.fromkeys(keys)
    for month, stamp, row_key in db.session.execute(sa.select(m.month, m.stamp, m.key).where(m.month.in_(keys))):
        if row_key == keys[month]:
            stored.append(month)
            del stale[month]
        else:
            stale[month] = stamp
    return stored, stale


def stored_sums(months):
    """({(procedure_id, assignee_id): MONTH_COUNTS sums}, {month: {bar: n}}) over stored months, summed in SQL.

    A month made stale after read_states() still has its last whole set of rows (they
    are replaced in one transaction), so this reads the month as it was a moment ago.
    """
    c = ReportMonthCount
    columns = [sa.func.sum(getattr(c, name)) for name in MONTH_COUNTS]
    pairs = {(p, a): [int(v) for v in values] for p, a, *values in db.session.execute(
        sa.select(c.procedure_id, c.assignee_id, *columns).where(c.month.in_(months))
        .group_by(c.procedure_id, c.assignee_id))}
    bars = {month: {"received": int(received), "early": int(early), "on_time": int(on_time), "late": int(late)}
            for month, received, early, on_time, late in db.session.execute(
                sa.select(c.month, sa.func.sum(c.online + c.counter + c.post), sa.func.sum(c.early),
                          sa.func.sum(c.on_time), sa.func.sum(c.late)).where(c.month.in_(months)).group_by(c.month))}
    return pairs, bars


def may_store():
    """Not while this session holds unflushed or uncommitted writes (they may yet roll back)."""
    session = db.session()
    return not (session.new or session.dirty or session.deleted or session.info.get("wrote"))


def store_month(month, seen_stamp, key, counts):
    """Write a month's counts in their own transaction if its stamp is still `seen_stamp`.

    Returns whether they were stored. A dossier change committed after the stamp was
    read, a concurrent writer, or a busy database all leave the month to be computed again.
    """
    rows = [{"month": month, "procedure_id": p, "assignee_id": a, **dict(zip(MONTH_COUNTS, values, strict=True))}
            for (p, a), values in counts.items()]
    m = ReportMonth
    try:
        with db.engine.begin() as connection:
            if seen_stamp is None:
                connection.execute(sa.insert(m).values(month=month, stamp=0, key=key, computed_at=utcnow()))
            else:
                claimed = connection.execute(sa.update(m).where(m.month == month, m.stamp == seen_stamp)
                                             .values(key=key, computed_at=utcnow())).rowcount
                if claimed != 1:
                    raise _Changed
            connection.execute(sa.delete(ReportMonthCount).where(ReportMonthCount.month == month))
            if rows:
                connection.execute(sa.insert(ReportMonthCount), rows)
    except (_Changed, IntegrityError, DBAPIError):
        return False
    return True


class _Changed(Exception):
    """The month changed after its stamp was read."""


def clear_all(connection=None):
    """Make every stored month stale (the CLI's `reports clear`, bulk statements on dossiers)."""
    statement = sa.update(ReportMonth).values(stamp=ReportMonth.stamp + 1, key="")
    (connection or db.session).execute(statement)


def month_of(value):
    """The local 'YYYY-MM' of a naive-UTC datetime."""
    return (value + UTC_OFFSET).strftime("%Y-%m")


def _months_of(obj, changed_only):
    """The past local months a dossier's arrival and finishing times (old and new) fall in."""
    state = sa.inspect(obj)
    if changed_only and not any(state.attrs[name].history.has_changes() for name in WATCHED):
        return set()
    values = []
    for name in TIMES:
        values.append(getattr(obj, name))
        values.extend(state.attrs[name].history.deleted or ())
    current = local_today().strftime("%Y-%m")
    return {month for value in values if isinstance(value, datetime) and (month := month_of(value)) < current}


@sa.event.listens_for(orm.Session, "before_flush")
def _remember_months(session, _context, _instances):
    months = set()
    with session.no_autoflush:
        for obj in session.new:
            if isinstance(obj, Dossier):
                months |= _months_of(obj, changed_only=False)
        for obj in session.dirty:
            if isinstance(obj, Dossier):
                months |= _months_of(obj, changed_only=True)
        for obj in session.deleted:
            if isinstance(obj, Dossier):
                months |= _months_of(obj, changed_only=False)
    if months:
        session.info.setdefault("report_months", set()).update(months)


@sa.event.listens_for(orm.Session, "after_flush")
def _bump_months(session, _context):
    session.info["wrote"] = True
    months = session.info.pop("report_months", None)
    if not months:
        return
    connection = session.connection()
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement = insert(ReportMonth).values([{"month": month, "stamp": 1, "key": ""} for month in sorted(months)])
    connection.execute(statement.on_conflict_do_update(
        index_elements=[ReportMonth.month], set_={"stamp": ReportMonth.stamp + 1, "key": ""}))


@sa.event.listens_for(orm.Session, "do_orm_execute")
def _bulk_statement(state):
    if (state.is_insert or state.is_update or state.is_delete) and state.bind_mapper is sa.inspect(Dossier):
        state.session.info["wrote"] = True
        clear_all(state.session.connection())


@sa.event.listens_for(orm.Session, "after_transaction_end")
def _forget_writes(session, transaction):
    if transaction.parent is None:
        session.info.pop("wrote", None)
        session.info.pop("report_months", None)
