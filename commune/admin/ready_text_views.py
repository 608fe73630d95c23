"""The ready-made texts the clerk picks when asking for a supplement or refusing a dossier."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..core.forms import ButtonForm
from ..extensions import db
from ..inbox.ready_texts import KINDS, ReadyText, all_texts
from . import bp, ready_text_services
from .ready_text_forms import ReadyTextForm


def _get(text_id):
    return db.session.get(ReadyText, text_id) or abort(404)


@bp.route("/mau-cau")
def ready_texts():
    """Every ready-made text, by the form it is used in."""
    texts = all_texts()
    groups = [(kind, label, [t for t in texts if t.kind == kind]) for kind, label in KINDS.items()]
    return render_template("admin/ready_texts.html", groups=groups, confirm=ButtonForm())


@bp.route("/mau-cau/moi", methods=["GET", "POST"])
@bp.route("/mau-cau/<int:text_id>", methods=["GET", "POST"])
def edit_ready_text(text_id=None):
    """Add or edit a text: its form, its procedure (or every one), its title and words."""
    text = _get(text_id) if text_id else None
    if request.method == "POST" or text is None:
        form = ReadyTextForm()
        if text is None and request.method == "GET" and request.args.get("loai") in KINDS:
            form.kind.data = request.args["loai"]
    else:
        form = ReadyTextForm(data=text.as_dict() | {"procedure": text.procedure_id})
    form.set_procedures()
    form.editing = text
    if form.validate_on_submit():
        ready_text_services.save_ready_text(current_user, form, text)
        flash(_("Đã lưu mẫu câu. Cán bộ chọn được ngay trên trang hồ sơ."))
        return redirect(url_for("admin.ready_texts"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/ready_text_edit.html", form=form, text=text), status


@bp.route("/mau-cau/<int:text_id>/xoa", methods=["POST"])
def delete_ready_text(text_id):
    """Remove a text (the audit log keeps what it said)."""
    text = _get(text_id)
    if ButtonForm().validate_on_submit():
        ready_text_services.delete_ready_text(current_user, text)
        flash(_("Đã xóa mẫu câu “%(t)s”.", t=text.title))
    return redirect(url_for("admin.ready_texts"))
