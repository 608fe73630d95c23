"""Photo uploads into the draft: one page at a time from the script, or a batch from the plain form."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import RequestEntityTooLarge

from ..core.attachments import release_keys, remove_file
from ..core.dossier import DossierFile
from ..core.photos import MSG_BUSY_RETRYING, PhotoError, UploadBusy
from ..extensions import db, limiter
from ..htmx import is_htmx
from . import bp
from .drafts import current_draft, with_draft
from .forms import ContinueForm, UploadForm

OTHER = "khac"  # the "other papers" part, for pages that fit no listed document


def is_script_upload():
    """The request comes from static/js/upload.js (it answers with a fragment, not a page)."""
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


def script_message(text, status):
    """A short Vietnamese message the upload script shows under the photo."""
    return text, status, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}


def busy_answer(page=None):
    """503 + Retry-After while the decoding slots are taken: the script retries, the form says so.

    `page` is the plain form's page (a response or a (body, status) pair) with the message shown
    and what was typed or already stored kept; without it the script's short message is sent."""
    headers = {"Retry-After": str(UploadBusy.retry_after), "Cache-Control": "no-store"}
    if page is None:
        body, _status, plain = script_message(_(MSG_BUSY_RETRYING), 503)
        return body, 503, {**plain, **headers}
    response = current_app.make_response(page)
    response.status_code = 503
    response.headers.update(headers)
    return response


def _part_index(dossier, part):
    """'0', '1'… (a listed document) or 'khac' (other papers) -> document_index; 404 otherwise."""
    if part == OTHER:
        return None
    documents = (dossier.procedure_snapshot or {}).get("documents", [])
    if not part.isdigit() or int(part) >= len(documents):
        abort(404)
    return int(part)


@bp.route("/nop-ho-so/anh-giay-to/<part>/tai-len", methods=["POST"])
@limiter.limit(lambda: current_app.config["COMMUNE_UPLOAD_LIMIT"])
def upload(part):
    """Receive one or more pages of one document; each is checked, shrunk, stripped and stored."""
    from .views import photos_page

    dossier = current_draft()
    if dossier is None:
        if is_script_upload():
            return script_message(_("Không tìm thấy hồ sơ đang soạn. Hãy mở lại đường dẫn “tiếp tục”."), 410)
        return redirect(url_for("submissions.lost"))
    index = _part_index(dossier, part)
    form = UploadForm()
    if not form.validate_on_submit():
        message = _("Trang đã mở quá lâu. Hãy tải lại trang rồi gửi lại ảnh.")
        if is_script_upload():
            return script_message(message, 400)
        return photos_page(dossier, {part: [message]}, 400)
    chosen = [f for f in (form.file.data or []) if f and f.filename]
    if not chosen:
        message = _("Chưa chọn ảnh nào. Bấm nút chụp ảnh hoặc chọn ảnh có sẵn.")
        return script_message(message, 422) if is_script_upload() else photos_page(dossier, {part: [message]}, 422)
    pages = [(f.filename or "", f.read()) for f in chosen]
    for attempt in range(3):
        try:
            added, errors, busy = _attach_pages(dossier, pages, index)
            db.session.commit()
            break
        except StaleDataError:
            # Another upload to the same draft (a second phone, a parallel request) committed first.
            db.session.rollback()
            dossier = current_draft()
            if dossier is None:
                return redirect(url_for("submissions.lost"))
            if attempt == 2:
                message = _("Máy chủ đang bận, ảnh chưa được lưu. Vui lòng gửi lại.")
                if is_script_upload():
                    return script_message(message, 503)
                return photos_page(dossier, {part: [message]}, 503)
    if is_script_upload():
        if busy and not added:
            return busy_answer()
        if not added:
            return script_message(" ".join(errors), 422)
        html = render_template("submissions/_uploaded.html", files=added)
        return html, 201, {"Cache-Control": "no-store"}
    if busy:  # the pages stored before the wait ran out are kept and listed on the page
        return busy_answer(photos_page(dossier, {part: errors}))
    if errors:
        return photos_page(dossier, {part: errors}, 422)
    flash(ngettext("Đã nhận %(num)d trang.", "Đã nhận %(num)d trang.", len(added)))
    return redirect(url_for("submissions.photos", _anchor=f"part-{part}"))


def _attach_pages(dossier, pages, index):
    """Attach each (name, bytes) page to the draft; returns (rows added, messages for refused pages, busy)."""
    added, errors = [], []
    for number, (filename, data) in enumerate(pages):
        try:
            added.append(attach_page(dossier, data, filename, index))
        except UploadBusy as error:
            # The server is busy: the remaining pages are not tried; the villager sends them again.
            names = ", ".join(name for name, _data in pages[number:])
            errors.append(_("%(name)s: %(message)s", name=names, message=str(error)))
            return added, errors, True
        except PhotoError as error:
            message = _(str(error))
            # The script shows the message under the photo's own name; the plain form may carry several.
            errors.append(message if is_script_upload() else
                          _("%(name)s: %(message)s", name=filename, message=message))
    return added, errors, False


def attach_page(dossier, data, filename, index):
    """Attach one uploaded page to the draft (raises PhotoError)."""
    from ..core.attachments import attach_file
    from .services import touch

    row = attach_file(dossier, data, filename, document_index=index)
    touch(dossier)
    return row


@bp.route("/nop-ho-so/tep/<int:file_id>/xoa", methods=["POST"])
@with_draft
def remove(dossier, file_id):
    """Remove a page from the draft (to retake it or because it is not needed)."""
    row = db.session.get(DossierFile, file_id)
    if row is None or row.dossier_id != dossier.id or row.round != 0:
        abort(404)
    if not ContinueForm().validate_on_submit():
        abort(400)
    part = OTHER if row.document_index is None else str(row.document_index)
    keys = remove_file(row)
    db.session.commit()
    release_keys(keys)
    if is_htmx():
        return "", 200, {"Vary": "HX-Request"}
    flash(_("Đã xóa trang."))
    return redirect(url_for("submissions.photos", _anchor=f"part-{part}"))


@bp.app_errorhandler(RequestEntityTooLarge)
def too_large(_error):
    """A request over MAX_CONTENT_LENGTH, on any upload path: a clear message (script), the photo step
    again (the draft's form), or a page saying the limit."""
    limit_mb = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024)
    message = _("Ảnh quá lớn để gửi (tối đa %(mb)d MB mỗi lần). Hãy chụp lại ảnh hoặc gửi từng ảnh một.",
                mb=limit_mb)
    if is_script_upload():
        return script_message(message, 413)
    if request.endpoint == "submissions.upload":
        dossier = current_draft()
        if dossier is not None:
            from .views import photos_page

            part = (request.view_args or {}).get("part", OTHER)
            return photos_page(dossier, {part: [message]}, 413)
    from ..core.errors import render_error

    return render_error(413, message=message)
