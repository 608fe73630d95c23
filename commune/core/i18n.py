"""Language choice (Vietnamese by default, English on request) and display filters."""
from urllib.parse import urlparse

from flask import has_request_context, redirect, request

from . import timeutil

LANGUAGES = ("vi", "en")


def N_(text):
    """Mark a message for extraction where it is defined; it is translated where it is shown."""
    return text
COOKIE = "lang"


def select_locale():
    """The language the visitor chose, remembered in a cookie; Vietnamese otherwise (and outside requests)."""
    if not has_request_context():
        return "vi"
    chosen = request.cookies.get(COOKIE)
    return chosen if chosen in LANGUAGES else "vi"


def set_language(code):
    """Remember the visitor's language and go back where they were."""
    target = request.args.get("next") or "/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/"):
        target = "/"
    response = redirect(target)
    if code in LANGUAGES:
        response.set_cookie(COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response


def format_vnd(amount):
    """2000 -> '2.000 đ'; 0 -> 'Miễn phí'; None -> ''."""
    if amount is None:
        return ""
    if amount == 0:
        return "Miễn phí"
    return f"{amount:,.0f}".replace(",", ".") + " đ"


def init_app(app):
    app.add_url_rule("/ngon-ngu/<code>", "set_language", set_language)
    app.jinja_env.filters.update(
        vnd=format_vnd,
        local_dt=timeutil.format_datetime,
        local_date=timeutil.format_date,
        local_day=timeutil.format_day,
    )
    app.jinja_env.globals.update(current_locale=select_locale)
