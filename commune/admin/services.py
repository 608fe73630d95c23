"""Staff accounts, the working calendar and the settings, as the admin changes them. Flush, never commit."""
import sqlalchemy as sa

from ..accounts.models import User
from ..accounts.services import forget_failures
from ..core.audit import audit, diff
from ..core.calendar import CalendarDay, default_cutoff, tet_confirmation, tet_days
from ..core.domain_error import DomainError
from ..core.i18n import N_
from ..core.roles import ADMIN, POSTAL
from ..core.settings import SECRET_KEYS, get_settings, set_setting
from ..dossiers.retention import draft_days, retention_years
from ..extensions import db

CHANGED = "(đã thay đổi)"


class AdminRuleError(DomainError):
    """A change that would lock the office out (e.g. removing the last admin)."""


def _active_admins():
    return db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.role == ADMIN,
                                                                                 User.active.is_(True)))


def _user_dict(user):
    return {"username": user.username, "full_name": user.full_name, "role": user.role, "active": user.active,
            "post_office": user.post_office or ""}


def create_user(actor, username, full_name, role, password, post_office=""):
    """A new staff account (a postal one with the post office it works for). The form refuses a name
    already taken; two admins racing for one name meet the unique index (a 409)."""
    user = User(username=username, full_name=full_name.strip(), role=role,
                post_office=(post_office or "").strip() if role == POSTAL else "")
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit(actor, "user.create", f"user {username}", diff({}, _user_dict(user)))
    return user


def update_user(actor, user, full_name, role, post_office=None):
    """Change a staff member's name, role or post office; role and office changes end their sessions."""
    before = _user_dict(user)
    if user.role == ADMIN and role != ADMIN and user.active and _active_admins() <= 1:
        raise AdminRuleError(N_("Phải còn ít nhất một tài khoản quản trị."))
    user.full_name = full_name.strip()
    office = (post_office or "").strip() if role == POSTAL else ""
    if post_office is not None and office != (user.post_office or ""):
        user.post_office = office
        user.rotate_session()
    if user.role != role:
        user.role = role
        user.rotate_session()
    db.session.flush()
    changes = diff(before, _user_dict(user))
    if changes:
        audit(actor, "user.update", f"user {user.username}", changes)


def reset_password(actor, user, password):
    """Set a new password; every session of the account ends."""
    user.set_password(password)
    forget_failures(user.username)  # the new password works at once, from every desk
    audit(actor, "user.reset_password", f"user {user.username}", {"password": CHANGED})


def set_user_active(actor, user, active):
    """Deactivate (ends every session at once) or reactivate an account."""
    if not active and user.role == ADMIN and user.active and _active_admins() <= 1:
        raise AdminRuleError(N_("Phải còn ít nhất một tài khoản quản trị."))
    if user.active == active:
        return
    user.active = active
    user.rotate_session()
    db.session.flush()
    audit(actor, "user.activate" if active else "user.deactivate", f"user {user.username}",
          {"active": {"before": not active, "after": active}})


def add_calendar_day(actor, day, kind, note):
    """Mark a day as an extra day off or a make-up working day (replaces an earlier mark)."""
    row = db.session.get(CalendarDay, day)
    before = {"kind": row.kind, "note": row.note} if row else {}
    if row is None:
        row = CalendarDay(day=day, kind=kind, note=note or "")
        db.session.add(row)
    else:
        row.kind, row.note = kind, note or ""
    db.session.flush()
    audit(actor, "calendar.set_day", f"day {day.isoformat()}", diff(before, {"kind": kind, "note": row.note}))


def remove_calendar_day(actor, row):
    """Forget the admin's mark on a day (the national calendar applies again)."""
    audit(actor, "calendar.remove_day", f"day {row.day.isoformat()}", {"kind": row.kind, "note": row.note})
    db.session.delete(row)
    db.session.flush()


def confirm_tet(actor, year):
    """The admin checked `year`'s Tết days against the government's notice: record it (the calendar
    page stops warning until the days it uses change)."""
    key, value = tet_confirmation(year)
    set_setting(key, value)
    audit(actor, "calendar.confirm_tet", f"tet {year}", {"days": [day.isoformat() for day in tet_days(year)]})


def current_settings():
    """Settings with the admin-page defaults filled in (the environment's, where it sets one)."""
    values = {"cutoff": default_cutoff(),
              "draft_retention_days": str(draft_days()), "dossier_retention_years": str(retention_years())}
    values.update(get_settings())
    return values


def save_settings(actor, values):
    """Save changed settings; secrets are written only when a new value is given, never audited."""
    current = current_settings()
    changes = {}
    for key, value in values.items():
        value = "" if value is None else str(value).strip()
        if key in SECRET_KEYS:
            if value == "__clear__":
                value = ""
            elif not value:
                continue
            if value != current.get(key, ""):
                set_setting(key, value)
                changes[key] = CHANGED
            continue
        if value != current.get(key, ""):
            set_setting(key, value)
            changes[key] = {"before": current.get(key, ""), "after": value}
    if changes:
        audit(actor, "settings.update", "settings", changes)
    return changes
