"""Login, logout and the staff member's own password."""
from urllib.parse import urlparse

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..core.roles import LEADER, POSTAL
from ..extensions import limiter
from ..web.unit_of_work import keep_changes
from . import (
    bp,
    devices,
    permissions,  # noqa: F401  (registers the user loader)
)
from .forms import ChangePasswordForm, LoginForm
from .services import authenticate, end_all_sessions, username_digest

# Where each role starts after login (the first endpoint that exists).
HOME_ENDPOINTS = {POSTAL: "postal.my_items", LEADER: "reports.figures"}


def _login_limit():
    return current_app.config["COMMUNE_LOGIN_LIMIT"]


def _login_limit_key():
    """Whom the per-address limit counts: the address, or a browser where the typed name signed in
    before (its own budget, so strangers sharing the office's address cannot spend the clerk's)."""
    return devices.throttle_client(username_digest(request.form.get("username")))


def staff_home(user):
    """The landing page for a staff member's role."""
    return url_for(HOME_ENDPOINTS.get(user.role, "inbox.index"))


def _safe_next(target):
    if not target:
        return None
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/dang-nhap", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_login_limit_key)
def login():
    """Staff login: one refusal for every failure; a back-off and a per-address limit, in which a browser
    where the name signed in before counts on its own (devices.py); then back to the page that asked."""
    if current_user.is_authenticated:
        return redirect(staff_home(current_user))
    form = LoginForm()
    error = None
    retry_after = None
    if form.validate_on_submit():
        digest = username_digest(form.username.data)
        result = authenticate(form.username.data, form.password.data, devices.throttle_client(digest))
        if result.user is None:
            error, retry_after = result.error, result.retry_after
            keep_changes()  # the failure counts towards the back-off
        else:
            target = _safe_next(request.args.get("next"))
            session.clear()  # a fresh session on login: nothing from before carries over
            login_user(result.user)
            return devices.remember(redirect(target or staff_home(result.user)), digest)
    status = 429 if retry_after else (400 if error else 200)
    headers = {"Retry-After": str(retry_after)} if retry_after else {}
    return render_template("accounts/login.html", form=form, error=error), status, headers


@bp.route("/dang-xuat", methods=["POST"])
@login_required
def logout():
    """End the session (a POST, so CSRF protection makes it a deliberate act); copied cookies die too."""
    end_all_sessions(current_user)
    logout_user()
    session.clear()
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
            user = current_user._get_current_object()
            user.set_password(form.new.data)  # rotates the session token: other sessions end
            session.clear()
            login_user(user)
            flash(_("Đã đổi mật khẩu."))
            return redirect(staff_home(current_user))
    return render_template("accounts/change_password.html", form=form)
