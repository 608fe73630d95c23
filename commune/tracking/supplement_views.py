"""Answering a supplement request: photos item by item (script, plain form, or resumably with tus
1.0), then send with a reply.

A resumable upload belongs to one open supplement request of one dossier ("supplement:<id>:<round>"),
reached only by the villager holding the dossier in full; an answered request closes its uploads.
"""
from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ..core.forms import ButtonForm
from ..dossiers.access import villager_may_view
from ..dossiers.attachments import remove_file
from ..dossiers.models import DossierFile
from ..extensions import db, limiter
from ..files.storage import release_keys
from ..uploads import (
    Opening,
    Reach,
    answer,
    is_script_upload,
    receive_pages,
    resumable_routes,
    script_message,
    staged_page,
    upload_limit,
)
from ..web.htmx import is_htmx
from ..web.unit_of_work import after_commit, refusal_rolls_back
from . import bp, services
from .forms import SupplementAnswerForm, SupplementPhotoForm
from .views import FULL, render_dossier, villager_dossier


def _back(dossier, anchor="bo-sung"):
    return redirect(url_for("tracking.dossier", code=dossier.code, _anchor=anchor))


@bp.route("/ho-so/<code>/bo-sung/<int(min=0):item>/tai-len", methods=["POST"])
@limiter.limit(upload_limit)
def supplement_photo(code, item):
    """Add pages for one requested item; they are kept (round n) beside what was sent before (round 0)."""
    dossier = villager_dossier(code)
    open_request = services.open_supplement_request(dossier)
    if open_request is None:
        message = _("Hồ sơ không còn chờ bổ sung.")
        return script_message(message, 409) if is_script_upload() else _back(dossier, None)
    if not 0 <= item < len(open_request.items or []):
        abort(404)
    form = SupplementPhotoForm()
    chosen = [f for f in (form.file.data or []) if f and f.filename] if form.validate_on_submit() else []
    if not chosen:
        message = _("Chưa chọn ảnh nào. Bấm nút chụp ảnh hoặc chọn ảnh có sẵn.")
        if is_script_upload():
            return script_message(message, 422)
        return render_dossier(dossier, FULL, 422, item_errors={item: [message]})
    pages = [(upload.filename or "", upload.read()) for upload in chosen]

    def attach(data, filename):
        return services.add_supplement_page(dossier, open_request, item, data, filename)

    def done(count):
        flash(ngettext("Đã thêm %(num)d trang.", "Đã thêm %(num)d trang.", count))
        return _back(dossier, f"item-{item}")

    return answer(receive_pages(pages, attach, always_named=True), "uploads/_uploaded.html",
                  lambda errors, status: render_dossier(dossier, FULL, status, item_errors={item: errors}), done,
                  remove_endpoint="tracking.supplement_remove")


def _owner(dossier, open_request):
    return f"supplement:{dossier.id}:{open_request.round}"


def _tus_opening(code, item):
    dossier = villager_dossier(code)
    open_request = services.open_supplement_request(dossier)
    if open_request is None:
        return script_message(_("Hồ sơ không còn chờ bổ sung."), 409)
    if not 0 <= item < len(open_request.items or []):
        abort(404)
    return Opening(_owner(dossier, open_request), str(item), {"code": dossier.code})


def _tus_reach(code):
    dossier = villager_dossier(code)
    open_request = services.open_supplement_request(dossier)
    if open_request is None:
        abort(404)

    def attach(data, filename, target):
        return services.add_supplement_page(dossier, open_request, int(target), data, filename)

    return Reach(_owner(dossier, open_request), attach,
                 lambda file_id: staged_page(dossier, file_id, open_request.round),
                 "uploads/_uploaded.html", {"remove_endpoint": "tracking.supplement_remove"})


resumable_routes(bp, "/ho-so/<code>/bo-sung/<int(min=0):item>/tai-len-tiep",
                 "/ho-so/<code>/bo-sung/tai-len-tiep/<upload_id>", _tus_opening, _tus_reach, prefix="supplement_")


@bp.route("/ho-so/bo-sung/tep/<int:file_id>/xoa", methods=["POST"])
def supplement_remove(file_id):
    """Take back a page added to the answer before it is sent (earlier rounds are never removed)."""
    row = db.session.get(DossierFile, file_id)
    if row is None or not villager_may_view(row.dossier):
        abort(404)
    dossier = row.dossier
    open_request = services.open_supplement_request(dossier)
    if open_request is None or row.round != open_request.round or row.purpose != "document":
        abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    keys = remove_file(row)
    after_commit(lambda: release_keys(keys))  # files go once their rows are gone for good
    if is_htmx():
        return "", 200, {"Vary": "HX-Request"}
    flash(_("Đã bỏ trang này."))
    return _back(dossier)


@bp.route("/ho-so/<code>/bo-sung", methods=["POST"])
def answer_supplement(code):
    """Send the answer: the dossier goes back to the clerk, with the same code."""
    dossier = villager_dossier(code)
    open_request = services.open_supplement_request(dossier)
    if open_request is None:
        flash(_("Hồ sơ không còn chờ bổ sung."))
        return _back(dossier, None)
    form = SupplementAnswerForm()
    if not form.validate_on_submit():
        return render_dossier(dossier, FULL, 400, answer_form=form)
    with refusal_rolls_back(services.TrackingError) as refusal:
        services.answer_supplement(dossier, open_request, form.reply.data)
    if refusal:
        form.reply.errors = list(form.reply.errors) + [str(refusal.error)]
        return render_dossier(dossier, FULL, 400, answer_form=form)
    flash(_("Đã gửi bổ sung. Cán bộ sẽ xem phần bạn gửi; mã hồ sơ không đổi."))
    return _back(dossier, None)
