"""Staff accounts: list, create, change role, reset password, deactivate."""
import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.models import User
from ..core.forms import ButtonForm
from ..extensions import db
from ..web.unit_of_work import refusal_rolls_back
from . import bp, services
from .forms import ResetPasswordForm, UserCreateForm, UserEditForm


def _user(user_id):
    return db.session.get(User, user_id) or abort(404)


@bp.route("/can-bo")
def users():
    """All staff accounts."""
    people = db.session.scalars(sa.select(User).order_by(User.active.desc(), User.role, User.username)).all()
    return render_template("admin/users.html", people=people, confirm=ButtonForm())


@bp.route("/can-bo/moi", methods=["GET", "POST"])
def new_user():
    """Create a staff account."""
    form = UserCreateForm()
    if form.validate_on_submit():
        services.create_user(current_user, form.username.data.strip(), form.full_name.data,
                             form.role.data, form.password.data, post_office=form.post_office.data or "")
        flash(_("Đã tạo tài khoản %(u)s.", u=form.username.data))
        return redirect(url_for("admin.users"))
    return render_template("admin/user_new.html", form=form), 400 if form.errors else 200


@bp.route("/can-bo/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id):
    """Change a staff member's name and role; reset the password."""
    user = _user(user_id)
    form = UserEditForm(obj=user)
    if form.validate_on_submit():
        with refusal_rolls_back(services.AdminRuleError) as refusal:
            services.update_user(current_user, user, form.full_name.data, form.role.data,
                                 post_office=form.post_office.data or "")
        if not refusal:
            flash(_("Đã lưu."))
            return redirect(url_for("admin.users"))
        form.role.errors.append(_(str(refusal.error)))
    return render_template("admin/user_edit.html", user=user, form=form, password_form=ResetPasswordForm(),
                           confirm=ButtonForm()), 400 if form.errors else 200


@bp.route("/can-bo/<int:user_id>/mat-khau", methods=["POST"])
def reset_password(user_id):
    """Set a new password for a staff member (their sessions end)."""
    user = _user(user_id)
    password_form = ResetPasswordForm()
    if password_form.validate_on_submit():
        services.reset_password(current_user, user, password_form.password.data)
        flash(_("Đã đặt mật khẩu mới cho %(u)s.", u=user.username))
        return redirect(url_for("admin.edit_user", user_id=user.id))
    return render_template("admin/user_edit.html", user=user, form=UserEditForm(obj=user),
                           password_form=password_form, confirm=ButtonForm()), 400


@bp.route("/can-bo/<int:user_id>/trang-thai", methods=["POST"])
def toggle_user(user_id):
    """Deactivate an account (its sessions end at once) or reactivate it."""
    user = _user(user_id)
    if ButtonForm().validate_on_submit():
        with refusal_rolls_back(services.AdminRuleError) as refusal:
            services.set_user_active(current_user, user, not user.active)
        if refusal:  # nothing changed: the refusal is flashed on the list
            flash(_(str(refusal.error)))
        else:
            flash(_("Đã khóa tài khoản %(u)s.", u=user.username) if not user.active
                  else _("Đã mở lại tài khoản %(u)s.", u=user.username))
    return redirect(url_for("admin.users"))
