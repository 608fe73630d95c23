"""URL converters: an `<int:…>` in any route matches only ids the database can hold.

Werkzeug's own `int` converter accepts any run of digits, so `/tep/99999999999999999999`
reached the view and the database driver raised OverflowError (a 500). Ours matches only
1 .. 2**31 - 1: the ids are `db.Integer` columns, a signed 32-bit INTEGER in PostgreSQL
(SQLite's holds 64 bits; the smaller one bounds both). Anything else is simply not a
route, so it is a 404 like any other unknown address.
"""
import builtins

from werkzeug.routing import IntegerConverter

DB_INT_MIN = 1
DB_INT_MAX = 2**31 - 1  # PostgreSQL INTEGER, the type of every id column


class BoundedIntConverter(IntegerConverter):
    """`int` for ids: 1 .. 2**31-1 by default; a route may narrow it, never widen it past the database."""

    def __init__(self, map, fixed_digits=0, min=DB_INT_MIN, max=DB_INT_MAX, signed=False):  # noqa: A002
        low = DB_INT_MIN if min is None else builtins.max(min, -DB_INT_MAX)
        high = DB_INT_MAX if max is None else builtins.min(max, DB_INT_MAX)
        super().__init__(map, fixed_digits=fixed_digits, min=low, max=high, signed=signed)


def init_app(app):
    """Replace Flask's `int` converter; must run before any blueprint adds its routes."""
    app.url_map.converters["int"] = BoundedIntConverter


def db_id(value):
    """`coerce=` / `type=` for an id sent in a form or a query string: an int the database
    can hold (1 .. 2**31-1), else ValueError, which WTForms and request.args treat as invalid."""
    number = int(value)
    if not DB_INT_MIN <= number <= DB_INT_MAX:
        raise ValueError("not a database id")
    return number
