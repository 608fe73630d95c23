"""Signing in: password check with a per-account lock after repeated failures (flush, never commit)."""
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from ..core.timeutil import utcnow
from ..extensions import db
from .models import User

MAX_FAILURES = 5
LOCK_MINUTES = 5


@dataclass
class SignIn:
    user: User | None
    error: str | None = None


def _minutes_left(until, now):
    return max(1, round((until - now).total_seconds() / 60))


def authenticate(username, password, now=None):
    """The user if the password is right; else an error saying what to do (locked, inactive, wrong)."""
    now = now or utcnow()
    user = db.session.scalar(sa.select(User).filter_by(username=(username or "").strip()))
    if user is not None and user.locked_until and user.locked_until > now:
        return SignIn(None, _("Tài khoản tạm khóa do nhập sai nhiều lần. Thử lại sau %(n)s phút.",
                              n=_minutes_left(user.locked_until, now)))
    if user is None or not user.check_password(password or ""):
        if user is not None:
            user.failed_logins += 1
            if user.failed_logins >= MAX_FAILURES:
                user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
                user.failed_logins = 0
                db.session.flush()
                return SignIn(None, _("Nhập sai mật khẩu %(max)s lần: tài khoản tạm khóa %(n)s phút.",
                                      max=MAX_FAILURES, n=LOCK_MINUTES))
            db.session.flush()
        return SignIn(None, _("Tên đăng nhập hoặc mật khẩu không đúng."))
    if not user.active:
        return SignIn(None, _("Tài khoản này đã ngừng hoạt động. Vui lòng liên hệ quản trị viên."))
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    db.session.flush()
    return SignIn(user)


def end_all_sessions(user):
    """Every session cookie issued for this account stops working (logout, deactivation)."""
    user.rotate_session()
    db.session.flush()
