"""Small SQL pieces that differ between SQLite and PostgreSQL: local dates and day numbers.

Stored datetimes are naive UTC; Viet Nam is UTC+7 all year (no daylight saving),
so the local date is the date of the value plus seven hours.
"""
import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

# Day numbers count from this Monday, so weekday = day_number % 7 (0 = Monday).
EPOCH = "1969-12-29"


class local_date(FunctionElement):  # noqa: N801 (reads like a SQL function)
    """The Asia/Ho_Chi_Minh date of a naive-UTC datetime column."""

    type = sa.Date()
    inherit_cache = True
    name = "local_date"


class local_month(FunctionElement):  # noqa: N801
    """'YYYY-MM' of the local date of a naive-UTC datetime column."""

    type = sa.String()
    inherit_cache = True
    name = "local_month"


class day_number(FunctionElement):  # noqa: N801
    """Days from Monday 1969-12-29 to the local date of a naive-UTC datetime column."""

    type = sa.Integer()
    inherit_cache = True
    name = "day_number"


def _arg(element, compiler, **kw):
    return compiler.process(list(element.clauses)[0], **kw)


@compiles(local_date)
def _local_date_pg(element, compiler, **kw):
    return f"CAST(({_arg(element, compiler, **kw)} + INTERVAL '7 hours') AS DATE)"


@compiles(local_date, "sqlite")
def _local_date_sqlite(element, compiler, **kw):
    return f"DATE({_arg(element, compiler, **kw)}, '+7 hours')"


@compiles(local_month)
def _local_month_pg(element, compiler, **kw):
    return f"TO_CHAR(({_arg(element, compiler, **kw)} + INTERVAL '7 hours'), 'YYYY-MM')"


@compiles(local_month, "sqlite")
def _local_month_sqlite(element, compiler, **kw):
    return f"STRFTIME('%Y-%m', {_arg(element, compiler, **kw)}, '+7 hours')"


@compiles(day_number)
def _day_number_pg(element, compiler, **kw):
    return f"(CAST(({_arg(element, compiler, **kw)} + INTERVAL '7 hours') AS DATE) - DATE '{EPOCH}')"


@compiles(day_number, "sqlite")
def _day_number_sqlite(element, compiler, **kw):
    return (f"CAST(JULIANDAY(DATE({_arg(element, compiler, **kw)}, '+7 hours')) "
            f"- JULIANDAY('{EPOCH}') AS INTEGER)")


def python_day_number(day):
    """The same day number for a Python date."""
    from datetime import date

    return (day - date(1969, 12, 29)).days


def weekend_days_upto(number):
    """SQL: how many Saturdays and Sundays lie in day numbers 0..number (number ≥ 0)."""
    rest = number % 7
    return 2 * (number // 7) + sa.case((rest >= 5, rest - 4), else_=0)


def step_ladder(number, steps):
    """SQL: the value of a step function of a day number.

    `steps` is a sorted list of (day_number, value from that day on); before the
    first step the value is 0. Rendered as one CASE, so it costs a few comparisons.
    """
    if not steps:
        return sa.literal(0)
    whens = []
    previous = 0
    for day, value in steps:
        whens.append((number < day, previous))
        previous = value
    return sa.case(*whens, else_=previous)
