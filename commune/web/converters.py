"""URL converters: an `<int:…>` in any route matches only ids the database can hold.

Werkzeug's own `int` converter accepts any run of digits, so `/tep/99999999999999999999`
reached the view and the database driver raised OverflowError (a 500). Ours matches only
1 .. 2**31 - 1: the ids are `db.Integer` columns, a signed 32-bit INTEGER in PostgreSQL
(SQLite's holds 64 bits; the smaller one bounds both). Anything else is simply not a
route, so it is a 404 like any other unknown address. Text segments likewise never match a
control character, and a NUL in a query or form value is a 400 (PostgreSQL cannot store one).
"""
import builtins

from flask import abort, request
from werkzeug.routing import BaseConverter, IntegerConverter, PathConverter

DB_INT_MIN = 1
DB_INT_MAX = 2**31 - 1  # PostgreSQL INTEGER, the type of every id column


class BoundedIntConverter(IntegerConverter):
    """`int` for ids: 1 .. 2**31-1 by default; a route may narrow it, never widen it past the database."""

    regex = r"[0-9]+"  # Werkzeug's `\d+` also takes "٣" or "３", which int() reads as 3 (core/numbers.py)

    def __init__(self, map, fixed_digits=0, min=DB_INT_MIN, max=DB_INT_MAX, signed=False):  # noqa: A002
        low = DB_INT_MIN if min is None else builtins.max(min, -DB_INT_MAX)
        high = DB_INT_MAX if max is None else builtins.min(max, DB_INT_MAX)
        super().__init__(map, fixed_digits=fixed_digits, min=low, max=high, signed=signed)


class PlainTextConverter(BaseConverter):
    """`string` (the default) without control characters: PostgreSQL refuses a NUL in any text,
    and no slug, code or number of ours holds one, so such an address is simply not a route."""

    regex = r"[^/\x00-\x1f\x7f]+"


class PlainPathConverter(PathConverter):
    """`path` without control characters, for the same reason."""

    regex = r"[^/\x00-\x1f\x7f][^\x00-\x1f\x7f]*?"


def refuse_nul():
    """No query-string or form value may hold a NUL: 400 before a view passes it to the database."""
    if not request.query_string and request.method in ("GET", "HEAD"):  # most requests: the path only
        if "\x00" in request.path:
            abort(400)
        return
    values = list(request.args.values())
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        values += list(request.form.values())
    if any("\x00" in value for value in values) or "\x00" in request.path:
        abort(400)


def init_app(app):
    """Replace Flask's `int`, `string` and `path` converters; must run before any blueprint adds its routes."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.url_map.converters["default"] = PlainTextConverter
    app.url_map.converters["string"] = PlainTextConverter
    app.url_map.converters["path"] = PlainPathConverter
    app.before_request(refuse_nul)


def db_id(value):
    """`coerce=` / `type=` for an id sent in a form or a query string: an int the database
    can hold (1 .. 2**31-1), else ValueError, which WTForms and request.args treat as invalid."""
    number = int(value)
    if not DB_INT_MIN <= number <= DB_INT_MAX:
        raise ValueError("not a database id")
    return number
