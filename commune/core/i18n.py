"""Language choice (Vietnamese by default, English on request) and display filters."""
from urllib.parse import urlparse

import flask_babel
from flask import g, has_request_context, redirect, request

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


def _translations():
    """This request's translations for the templates' `_()`: Flask-Babel finds them anew at each
    call (about nine context look-ups; a list page makes hundreds of calls), so the answer is kept
    beside Flask-Babel's own per-request state, for as long as the locale stays the same."""
    try:
        state = g._flask_babel  # Flask-Babel's namespace on g, made at its first call
        locale = state.babel_locale
    except (AttributeError, RuntimeError):  # its first call in this request, or outside one
        return flask_babel.get_translations()
    kept = getattr(state, "commune_translations", None)
    if kept is None or kept[0] is not locale:
        kept = state.commune_translations = (locale, flask_babel.get_translations())
    return kept[1]


def init_app(app):
    """After Flask-Babel's own init_app: the templates' gettext callables use `_translations()`."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
    )
    app.add_url_rule("/ngon-ngu/<code>", "set_language", set_language)
    app.jinja_env.filters.update(
        vnd=format_vnd,
        local_dt=timeutil.format_datetime,
        local_date=timeutil.format_date,
        local_day=timeutil.format_day,
    )
    app.jinja_env.globals.update(current_locale=select_locale)
