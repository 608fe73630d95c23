"""Answering a supplement request: photos item by item (script or plain form), then send with a reply."""
from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ..core.access import villager_may_view
from ..core.attachments import release_keys, remove_file
from ..core.dossier import DossierFile
from ..core.photos import PhotoError, UploadBusy
from ..extensions import db, limiter
from ..htmx import is_htmx
from ..submissions.uploads import busy_answer, is_script_upload, script_message
from . import bp, services
from .forms import ConfirmForm, SupplementAnswerForm, SupplementPhotoForm
from .views import FULL, _render_dossier, _villager_dossier


def _back(dossier, anchor="bo-sung"):
    return redirect(url_for("tracking.dossier", code=dossier.code, _anchor=anchor))


@bp.route("/ho-so/<code>/bo-sung/<int(min=0):item>/tai-len", methods=["POST"])
@limiter.limit(lambda: current_app.config["COMMUNE_UPLOAD_LIMIT"])
def supplement_photo(code, item):
    """Add pages for one requested item; they are kept (round n) beside what was sent before (round 0)."""
    dossier = _villager_dossier(code)
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
        return _render_dossier(dossier, FULL, 422, item_errors={item: [message]})
    added, errors, busy = [], [], False
    for upload in chosen:
        try:
            added.append(services.add_supplement_page(dossier, open_request, item, upload.read(),
                                                      upload.filename))
        except (PhotoError, services.TrackingError) as error:
            errors.append(_("%(name)s: %(message)s", name=upload.filename, message=_(str(error))))
            if isinstance(error, UploadBusy):
                busy = True  # the server is busy: the rest waits for the next try
                break
    db.session.commit()  # what was accepted is kept even if another page was refused
    if busy:  # 503 + Retry-After: the script tries again by itself; the plain form says so
        return busy_answer(None if is_script_upload() else
                           _render_dossier(dossier, FULL, 503, item_errors={item: errors}))
    if is_script_upload():
        if not added:
            return script_message(" ".join(errors), 422)
        html = render_template("tracking/_uploaded.html", files=added)
        return html, 201, {"Cache-Control": "no-store"}
    if errors:
        return _render_dossier(dossier, FULL, 422, item_errors={item: errors})
    flash(ngettext("Đã thêm %(num)d trang.", "Đã thêm %(num)d trang.", len(added)))
    return _back(dossier, f"item-{item}")


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
    if not ConfirmForm().validate_on_submit():
        abort(400)
    keys = remove_file(row)
    db.session.commit()
    release_keys(keys)
    if is_htmx():
        return "", 200, {"Vary": "HX-Request"}
    flash(_("Đã bỏ trang này."))
    return _back(dossier)


@bp.route("/ho-so/<code>/bo-sung", methods=["POST"])
def answer_supplement(code):
    """Send the answer: the dossier goes back to the clerk, with the same code."""
    dossier = _villager_dossier(code)
    open_request = services.open_supplement_request(dossier)
    if open_request is None:
        flash(_("Hồ sơ không còn chờ bổ sung."))
        return _back(dossier, None)
    form = SupplementAnswerForm()
    if not form.validate_on_submit():
        return _render_dossier(dossier, FULL, 400, answer_form=form)
    try:
        services.answer_supplement(dossier, open_request, form.reply.data)
    except services.TrackingError as error:
        form.reply.errors = list(form.reply.errors) + [str(error)]
        return _render_dossier(dossier, FULL, 400, answer_form=form)
    db.session.commit()
    flash(_("Đã gửi bổ sung. Cán bộ sẽ xem phần bạn gửi; mã hồ sơ không đổi."))
    return _back(dossier, None)
