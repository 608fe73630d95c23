"""Signing in (flush, never commit): one answer for every failure, and a back-off per name and address.

Unknown name, wrong password and deactivated account do the same work (one scrypt check,
against a dummy hash when there is no account, and one throttle row written) and get the
same message, so the login page cannot be used to list accounts. There is no account
lock: failures count per (name, client) with an exponential back-off, so a stranger
typing a clerk's name elsewhere slows only himself while the clerk's desk still logs in.
The client is the address, or the browser's own key when the name signed in on it before
(devices.py: the desk and the waiting room's Wi-Fi often share one address). The
per-address limit (COMMUNE_LOGIN_LIMIT, Flask-Limiter) stays on top, keyed the same way.
"""
import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from ..core.timeutil import utcnow
from ..extensions import db
from .models import LoginThrottle, User, password_method

FREE_FAILURES = 3  # mistakes allowed from one address before any wait
FIRST_DELAY = timedelta(seconds=30)  # the wait after the first failure beyond those; doubles each time
MAX_DELAY = timedelta(minutes=15)
FORGET_AFTER = timedelta(hours=24)  # a quiet (name, address) starts again from zero

_dummy_hashes = {}  # method: hash


@dataclass
class SignIn:
    user: User | None
    error: str | None = None
    retry_after: int | None = None  # seconds, when the attempt was refused without checking


def dummy_hash():
    """A hash of a random password with the accounts' own method, made once: unknown names are
    checked against it."""
    method = password_method()
    if method not in _dummy_hashes:
        _dummy_hashes[method] = generate_password_hash(secrets.token_hex(16), method=method)
    return _dummy_hashes[method]


def username_digest(username):
    """The throttle's key for a typed name: keyed (SECRET_KEY) and case-insensitive, never the name itself."""
    name = (username or "").strip().casefold().encode()
    key = current_app.config["SECRET_KEY"]
    return hmac.new(key.encode() if isinstance(key, str) else key, name, hashlib.sha256).hexdigest()


def backoff(failures):
    """How long a (name, address) waits after its `failures`-th failure (zero for the first few)."""
    extra = failures - FREE_FAILURES
    if extra <= 0:
        return timedelta(0)
    return min(MAX_DELAY, FIRST_DELAY * (2 ** min(extra - 1, 20)))


def _wait_text(seconds):
    if seconds < 60:
        return _("%(n)s giây", n=seconds)
    return _("%(n)s phút", n=math.ceil(seconds / 60))


def _throttle(digest, client):
    return db.session.scalar(sa.select(LoginThrottle).filter_by(username_digest=digest, client=client))


def _record_failure(digest, client, now):
    """Count one failure for (name, address) and return the back-off it earned; forget long-quiet rows."""
    db.session.execute(sa.delete(LoginThrottle).where(LoginThrottle.last_failure_at < now - FORGET_AFTER))
    row = _throttle(digest, client)
    if row is None:
        try:
            with db.session.begin_nested():
                row = LoginThrottle(username_digest=digest, client=client, failures=0, last_failure_at=now)
                db.session.add(row)
        except sa.exc.IntegrityError:  # a parallel attempt made the row first
            row = _throttle(digest, client)
    row.failures += 1
    row.last_failure_at = now
    delay = backoff(row.failures)
    row.blocked_until = now + delay if delay else None
    db.session.flush()
    return delay


def authenticate(username, password, client, now=None):
    """The user when name and password are right and the account is active; else one and the same refusal."""
    now = now or utcnow()
    client = (client or "-")[:64]
    digest = username_digest(username)
    row = _throttle(digest, client)
    if row is not None and row.blocked_until and row.blocked_until > now:
        seconds = max(1, math.ceil((row.blocked_until - now).total_seconds()))
        return SignIn(None, _("Bạn đã nhập sai nhiều lần. Vui lòng đợi %(wait)s rồi thử lại.",
                              wait=_wait_text(seconds)), retry_after=seconds)
    user = db.session.scalar(sa.select(User).filter_by(username=(username or "").strip()))
    # The same scrypt work whether or not the account exists.
    password_ok = check_password_hash(user.password_hash if user is not None else dummy_hash(), password or "")
    if user is None or not password_ok or not user.active:
        delay = _record_failure(digest, client, now)
        error = _("Tên đăng nhập hoặc mật khẩu không đúng.")
        if delay:
            error += " " + _("Vui lòng đợi %(wait)s trước khi thử lại.", wait=_wait_text(int(delay.total_seconds())))
        return SignIn(None, error)
    if row is not None:
        db.session.delete(row)
    user.last_login_at = now
    db.session.flush()
    return SignIn(user)


def forget_failures(username):
    """Clear the back-off of a name at every address (the admin has just set a new password)."""
    db.session.execute(sa.delete(LoginThrottle).where(LoginThrottle.username_digest == username_digest(username)))
    db.session.flush()


def end_all_sessions(user):
    """Every session cookie issued for this account stops working (logout, deactivation)."""
    user.rotate_session()
    db.session.flush()
