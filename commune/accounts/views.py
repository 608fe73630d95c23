"""Login, logout and the staff member's own password."""
from datetime import timedelta
from urllib.parse import urlparse

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..core.timeutil import utcnow
from ..extensions import db, limiter
from . import (
    bp,
    permissions,  # noqa: F401  (registers the user loader)
)
from .forms import ChangePasswordForm, LoginForm
from .models import ADMIN, LEADER, POSTAL, User

MAX_FAILURES = 5
LOCK_MINUTES = 5

# Where each role starts after login (the first endpoint that exists).
HOME_ENDPOINTS = {
    POSTAL: ("postal.my_items",),
    LEADER: ("reports.figures", "inbox.index"),
    ADMIN: ("inbox.index", "admin.index"),
}


def _login_limit():
    return current_app.config["COMMUNE_LOGIN_LIMIT"]


def staff_home(user):
    """The landing page for a staff member's role."""
    for endpoint in HOME_ENDPOINTS.get(user.role, ()) + ("inbox.index",):
        if endpoint in current_app.view_functions:
            return url_for(endpoint)
    return url_for("catalog.home")


def _safe_next(target):
    if not target:
        return None
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/dang-nhap", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    """Staff login, throttled per IP (limiter) and per account (lock after repeated failures)."""
    if current_user.is_authenticated:
        return redirect(staff_home(current_user))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = db.session.scalar(sa.select(User).filter_by(username=form.username.data.strip()))
        now = utcnow()
        if user is not None and user.locked_until and user.locked_until > now:
            minutes = max(1, round((user.locked_until - now).total_seconds() / 60))
            error = _("Tài khoản tạm khóa do nhập sai nhiều lần. Thử lại sau %(n)s phút.", n=minutes)
        elif user is None or not user.active or not user.check_password(form.password.data):
            if user is not None:
                user.failed_logins += 1
                if user.failed_logins >= MAX_FAILURES:
                    user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
                    user.failed_logins = 0
                db.session.commit()
            error = _("Tên đăng nhập hoặc mật khẩu không đúng.")
        else:
            user.failed_logins = 0
            user.locked_until = None
            user.last_login_at = now
            db.session.commit()
            login_user(user)  # Flask-Login issues a fresh session for the new identity
            return redirect(_safe_next(request.args.get("next")) or staff_home(user))
    return render_template("accounts/login.html", form=form, error=error)


@bp.route("/dang-xuat", methods=["POST"])
@login_required
def logout():
    """End the session (a POST, so CSRF protection makes it a deliberate act)."""
    logout_user()
    flash(_("Bạn đã đăng xuất."))
    return redirect(url_for("accounts.login"))


@bp.route("/tai-khoan/mat-khau", methods=["GET", "POST"])
@login_required
def change_password():
    """A staff member changes their own password; other sessions end."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append(_("Mật khẩu hiện tại không đúng."))
        else:
            current_user.set_password(form.new.data)
            db.session.commit()
            login_user(current_user)
            flash(_("Đã đổi mật khẩu."))
            return redirect(staff_home(current_user))
    return render_template("accounts/change_password.html", form=form)
