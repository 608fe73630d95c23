"""Role checks for views: @roles_required(CLERK, ADMIN)."""
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from ..extensions import db, login_manager
from .models import User


@login_manager.user_loader
def load_user(identity):
    """Find the user of a session cookie; a rotated session token ends old sessions."""
    user_id, _, token = (identity or "").partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_token != token:
        return None
    return user


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
