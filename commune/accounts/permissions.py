"""Who the session's staff member is, what a visitor without one is told, and role checks for
views: @roles_required(CLERK, ADMIN)."""
from functools import wraps
from urllib.parse import urlsplit

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user, login_required, user_logged_in

from ..extensions import db, login_manager
from ..web.htmx import is_htmx
from . import session_life
from .models import User

user_logged_in.connect(session_life.begin)  # every login starts the session's clock


@login_manager.user_loader
def load_user(identity):
    """Find the user of a session cookie; a rotated session token ends old sessions, and a session
    past its idle time or lifetime ends here (session_life.py)."""
    user_id, _, token = (identity or "").partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_token != token:
        return None
    if not session_life.check():
        return None
    return user


def _return_to():
    """Where to come back after logging in: this page, or for a form sent after the session ended,
    the page that showed the form (a POST address cannot be opened again)."""
    if request.method in ("GET", "HEAD"):
        return request.full_path.rstrip("?")
    referrer = urlsplit(request.referrer or "")
    if not referrer.path.startswith("/") or referrer.path.startswith("//"):
        return None  # only a path of this site is kept (the Referer's host is the browser's word)
    return referrer.path + ("?" + referrer.query if referrer.query else "")


@login_manager.unauthorized_handler
def ask_to_log_in():
    """A page that needs a staff member: to the login page, saying why when the session ran out."""
    flash(session_life.EXPIRED_MESSAGE if session_life.was_expired() else login_manager.login_message)
    target = url_for("accounts.login", next=_return_to())
    if is_htmx():  # a fragment request: the whole page goes to the login form, not the fragment's box
        return "", 401, {"HX-Redirect": target}
    return redirect(target)


def roles_required(*roles):
    """Only logged-in staff with one of `roles` may use the view (403 for the others)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = roles
        return wrapped

    return decorator
