"""Needs the commune does not handle: the list the search uses to send villagers to the right office."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..catalog.referrals import Referral, all_referrals
from ..core.forms import ButtonForm
from ..extensions import db
from . import bp, referral_services
from .referral_forms import ReferralForm


def _get(referral_id):
    return db.session.get(Referral, referral_id) or abort(404)


@bp.route("/viec-noi-khac")
def referrals():
    """Every need handled elsewhere, with its phrases and office."""
    return render_template("admin/referrals.html", referrals=all_referrals(), confirm=ButtonForm())


@bp.route("/viec-noi-khac/moi", methods=["GET", "POST"])
@bp.route("/viec-noi-khac/<int:referral_id>", methods=["GET", "POST"])
def edit_referral(referral_id=None):
    """Add or edit an entry: its phrases, the office, the sentence, the contact."""
    referral = _get(referral_id) if referral_id else None
    if request.method == "POST" or referral is None:
        form = ReferralForm()
    else:
        form = ReferralForm(data=referral.as_dict() | {"phrases": "\n".join(referral.phrases or [])})
    form.editing = referral
    if form.validate_on_submit():
        referral_services.save_referral(current_user, form, referral)
        flash(_("Đã lưu. Trang tìm kiếm dùng ngay nội dung mới."))
        return redirect(url_for("admin.referrals"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/referral_edit.html", form=form, referral=referral,
                           confirm=ButtonForm()), status


@bp.route("/viec-noi-khac/<int:referral_id>/xoa", methods=["POST"])
def delete_referral(referral_id):
    """Remove an entry (the audit log keeps what it said)."""
    referral = _get(referral_id)
    if ButtonForm().validate_on_submit():
        referral_services.delete_referral(current_user, referral)
        flash(_("Đã xóa mục “%(o)s”.", o=referral.office))
    return redirect(url_for("admin.referrals"))
