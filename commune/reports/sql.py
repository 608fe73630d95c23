"""Small SQL pieces that differ between SQLite and PostgreSQL: local day numbers, calendar steps.

Stored datetimes are naive UTC; Viet Nam is UTC+7 all year (no daylight saving),
so the local date is the date of the value plus seven hours.
"""
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement
from sqlalchemy.sql.visitors import InternalTraversal

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


class step_ladder(sa.sql.expression.ColumnElement):  # noqa: N801
    """SQL: the value of a step function of a day number (an integer expression).

    `steps` is a sorted list of (day_number, value from that day on); before the
    first step the value is 0. Rendered as nested CASEs split in halves, so a row
    costs about log2(len(steps)) integer comparisons. The steps are written into
    the SQL as integers and are part of the statement's cache key: building and
    caching the statement stays cheap however many holidays the calendar has.
    """

    type = sa.Integer()
    inherit_cache = True
    _traverse_internals = [("number", InternalTraversal.dp_clauseelement),
                           ("steps", InternalTraversal.dp_plain_obj)]

    def __init__(self, number, steps):
        self.number = number
        self.steps = tuple((int(day), int(value)) for day, value in steps)


@compiles(step_ladder)
def _step_ladder(element, compiler, **kw):
    number, steps = compiler.process(element.number, **kw), element.steps

    def build(low, high, before):
        # Numbers here lie between steps[low - 1] (value `before`) and steps[high + 1].
        if low > high:
            return str(before)
        mid = (low + high) // 2
        return (f"CASE WHEN ({number} < {steps[mid][0]}) THEN {build(low, mid - 1, before)} "
                f"ELSE {build(mid + 1, high, steps[mid][1])} END")

    return build(0, len(steps) - 1, 0)
