"""Small SQL pieces that differ between SQLite and PostgreSQL: local day numbers, calendar steps.

Stored datetimes are naive UTC; Viet Nam is UTC+7 all year (no daylight saving),
so the local date is the date of the value plus seven hours.
"""
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

# Day numbers count from this Monday, so weekday = day_number % 7 (0 = Monday).
EPOCH = "1969-12-29"
EPOCH_DATE = date(1969, 12, 29)


class day_number(FunctionElement):  # noqa: N801
    """Days from Monday 1969-12-29 to the local date of a naive-UTC datetime column."""

    type = sa.Integer()
    inherit_cache = True
    name = "day_number"


def _arg(element, compiler, **kw):
    return compiler.process(list(element.clauses)[0], **kw)


@compiles(day_number, "sqlite")
def _day_number_sqlite(element, compiler, **kw):
    # Plain arithmetic on JULIANDAY is twice as fast as DATE(); the 1e-7 day (9 ms) guards
    # against a float landing just below local midnight. Works for DATE columns too (offset 0).
    offset = "0" if isinstance(list(element.clauses)[0].type, sa.Date) else "0.2916666666666667"
    return (f"CAST(JULIANDAY({_arg(element, compiler, **kw)}) + {offset} "
            f"- 2440584.5 + 0.0000001 AS INTEGER)")


@compiles(day_number)
def _day_number_pg_any(element, compiler, **kw):
    argument = list(element.clauses)[0]
    if isinstance(argument.type, sa.Date) and not isinstance(argument.type, sa.DateTime):
        return f"({_arg(element, compiler, **kw)} - DATE '{EPOCH}')"
    return f"(CAST(({_arg(element, compiler, **kw)} + INTERVAL '7 hours') AS DATE) - DATE '{EPOCH}')"


def python_day_number(day):
    """The same day number for a Python date."""
    return (day - EPOCH_DATE).days


def weekend_days_upto(number):
    """SQL: how many Saturdays and Sundays lie in day numbers 0..number (number ≥ 0)."""
    rest = number % 7
    return 2 * (number // 7) + sa.case((rest >= 5, rest - 4), else_=0)


def step_ladder(number, steps):
    """SQL: the value of a step function of a day number (an integer column).

    `steps` is a sorted list of (day_number, value from that day on); before the
    first step the value is 0. Rendered as nested CASEs split in halves, so a row
    costs about log2(len(steps)) integer comparisons.
    """
    if not steps:
        return sa.literal(0)

    def build(low, high, before):
        # Numbers here lie between steps[low - 1] (value `before`) and steps[high + 1].
        if low > high:
            return sa.literal(before)
        mid = (low + high) // 2
        return sa.case((number < steps[mid][0], build(low, mid - 1, before)),
                       else_=build(mid + 1, high, steps[mid][1]))

    return build(0, len(steps) - 1, 0)
