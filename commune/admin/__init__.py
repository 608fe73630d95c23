"""The admin feature: catalog, staff, calendar, settings, and the record of every change."""
from flask import Blueprint, abort
from flask_login import current_user

from ..core.roles import ADMINS, is_in
from ..extensions import login_manager

bp = Blueprint("admin", __name__, url_prefix="/quan-tri")


@bp.before_request
def _admins_only():
    """Every admin URL: log in first, then admin role only (403 for other staff)."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not is_in(current_user, ADMINS):
        abort(403)
    return None


from . import (  # noqa: E402,F401
    calendar_views,
    catalog_views,
    national_import_views,
    ready_text_views,
    referral_views,
    settings_views,
    staff_views,
    views,
)
