"""Staff sessions end on their own: after COMMUNE_STAFF_IDLE_MINUTES without use, and
COMMUNE_STAFF_SESSION_HOURS after login, whichever comes first.

The office computer is shared and often left signed in. The signed session cookie carries the
login time and the last time the staff member did something; both are set at login (the
`user_logged_in` signal, so every login path starts the clock) and checked by the user loader on
every request of a logged-in staff member. A session without them (one from before this check,
or one a "remember me" cookie would rebuild) counts as expired. The session cookie's signature
keeps them honest: a copied cookie can only be older, never younger. Logout, a new password and
deactivation still end every session at once (User.session_token).

An expired session is forgotten without Flask-Login's logout signal: that signal tells the
carrier's phone to clear its copy of the round (postal/round_views.py), and records made without
signal must stay on the phone until the carrier signs in again and they are sent.
"""
import time

from flask import current_app, g, request, session
from flask_babel import lazy_gettext as _l

LOGIN_AT = "staff_login_at"
SEEN_AT = "staff_seen_at"
EXPIRED_FLAG = "staff_session_expired"
TOUCH_EVERY = 60  # seconds: the last-seen time is rewritten at most once a minute (the cookie changes)
EXPIRED_MESSAGE = _l("Phiên làm việc đã hết hạn, vui lòng đăng nhập lại.")

# Requests a page makes by itself, not the person: they never count as activity. The carrier's
# round page fetches the day's items whenever it retries sending; the browser re-fetches the
# service worker and the app manifest on its own.
NOT_ACTIVITY = frozenset({"postal.round_data", "postal.service_worker", "postal.web_manifest"})


def _idle_seconds():
    return int(current_app.config.get("COMMUNE_STAFF_IDLE_MINUTES", 30)) * 60


def _lifetime_seconds():
    return int(current_app.config.get("COMMUNE_STAFF_SESSION_HOURS", 12)) * 3600


def begin(_app=None, user=None, **_extra):
    """At login: the clock of this session starts (connected to Flask-Login's user_logged_in)."""
    now = int(time.time())
    session[LOGIN_AT] = now
    session[SEEN_AT] = now


def _stamp(name):
    value = session.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def expired(now=None):
    """Whether this request's staff session has run past its idle time or its lifetime."""
    now = time.time() if now is None else now
    login_at, seen_at = _stamp(LOGIN_AT), _stamp(SEEN_AT)
    if login_at is None or seen_at is None:
        return True
    return now - seen_at > _idle_seconds() or now - login_at > _lifetime_seconds()


def forget():
    """End this browser's expired session quietly (no logout signal) and say why at the login page."""
    session.clear()
    g.setdefault(EXPIRED_FLAG, True)


def was_expired():
    """Whether this request found its staff session expired (the login redirect says so)."""
    return bool(g.get(EXPIRED_FLAG))


def touch(now=None):
    """A request the staff member made: the idle time starts again (the cookie rewritten once a minute)."""
    if request.endpoint in NOT_ACTIVITY:
        return
    now = int(time.time() if now is None else now)
    if now - (_stamp(SEEN_AT) or 0) >= TOUCH_EVERY:
        session[SEEN_AT] = now


def check():
    """Called for a logged-in staff member's session: False (and the session forgotten) when it has
    expired, else True (and the visit counted)."""
    if expired():
        forget()
        return False
    touch()
    return True
