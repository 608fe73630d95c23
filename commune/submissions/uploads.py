"""Pages into the draft: one at a time from the script, a batch from the plain form, or resumably
(tus 1.0) what the phone cannot shrink; all received by the uploads pipeline (commune/uploads).

A resumable upload belongs to the draft it was created for ("draft:<id>"): only the browser
holding that draft reaches it; any other visitor gets 404, as if it did not exist."""
from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.exceptions import RequestEntityTooLarge

from ..core.forms import ButtonForm
from ..core.i18n import N_
from ..core.numbers import ascii_int
from ..dossiers.attachments import attach_file, remove_file
from ..extensions import limiter
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
from ..web.errors import render_error
from ..web.htmx import is_htmx
from ..web.unit_of_work import after_commit
from . import bp
from .drafts import current_draft, with_draft
from .forms import UploadForm
from .services import touch
from .views import photos_page

OTHER = "khac"  # the "other papers" part, for pages that fit no listed document
MSG_NO_DRAFT = N_("Không tìm thấy hồ sơ đang soạn. Hãy mở lại đường dẫn “tiếp tục”.")


def part_index(dossier, part):
    """'0', '1'… (a listed document) or 'khac' (other papers) -> document_index; 404 otherwise."""
    if part == OTHER:
        return None
    documents = (dossier.procedure_snapshot or {}).get("documents", [])
    index = ascii_int(part, len(documents) - 1) if documents else None
    if index is None:  # not ASCII digits ("²", "٣"), or not a document of this procedure
        abort(404)
    return index


@bp.route("/nop-ho-so/anh-giay-to/<part>/tai-len", methods=["POST"])
@limiter.limit(upload_limit)
def upload(part):
    """Receive one or more pages of one document; each is checked, shrunk, stripped and stored."""

    dossier = current_draft()
    if dossier is None:
        if is_script_upload():
            return script_message(_(MSG_NO_DRAFT), 410)
        return redirect(url_for("submissions.lost"))
    index = part_index(dossier, part)
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
    draft = {"dossier": dossier}

    def reload():
        draft["dossier"] = current_draft()
        return draft["dossier"] is not None

    def attach(data, filename):
        return attach_page(draft["dossier"], data, filename, index)

    received = receive_pages(pages, attach, reload)

    def done(count):
        flash(ngettext("Đã nhận %(num)d trang.", "Đã nhận %(num)d trang.", count))
        return redirect(url_for("submissions.photos", _anchor=f"part-{part}"))

    return answer(received, "uploads/_uploaded.html",
                  lambda errors, status: photos_page(draft["dossier"], {part: errors}, status), done,
                  remove_endpoint="submissions.remove")


def attach_page(dossier, data, filename, index):
    """Attach one uploaded page to the draft (raises PhotoError)."""
    row = attach_file(dossier, data, filename, document_index=index)
    touch(dossier)
    return row


def _no_draft():
    """No draft in this browser: 404, whoever asks (another draft's upload is not shown to exist)."""
    return script_message(_(MSG_NO_DRAFT), 404)


def _tus_opening(part):
    dossier = current_draft()
    if dossier is None:
        return _no_draft()
    part_index(dossier, part)  # 404 for a part the procedure does not have
    return Opening(f"draft:{dossier.id}", part)


def _tus_reach():
    dossier = current_draft()
    if dossier is None:
        return _no_draft()

    def attach(data, filename, target):
        return attach_page(dossier, data, filename, None if target == OTHER else part_index(dossier, target))

    return Reach(f"draft:{dossier.id}", attach, lambda file_id: staged_page(dossier, file_id),
                 "uploads/_uploaded.html", {"remove_endpoint": "submissions.remove"})


resumable_routes(bp, "/nop-ho-so/anh-giay-to/<part>/tai-len-tiep", "/nop-ho-so/tai-len-tiep/<upload_id>",
                 _tus_opening, _tus_reach)


@bp.route("/nop-ho-so/tep/<int:file_id>/xoa", methods=["POST"])
@with_draft
def remove(dossier, file_id):
    """Remove a page from the draft (to retake it or because it is not needed)."""
    row = staged_page(dossier, file_id)
    if row is None:
        abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    part = OTHER if row.document_index is None else str(row.document_index)
    keys = remove_file(row)
    after_commit(lambda: release_keys(keys))  # files go once their rows are gone for good
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

            part = (request.view_args or {}).get("part", OTHER)
            return photos_page(dossier, {part: [message]}, 413)

    return render_error(413, message=message)
