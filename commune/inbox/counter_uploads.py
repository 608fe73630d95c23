"""The counter's pages sent as soon as they are taken: one-shot, resumable (tus 1.0), and shown back.

The same script and protocol as the villager's photo step (static/js/upload.js): each page goes
into the clerk's batch (counter_batch.py) before the form is sent, so a mistake in the form never
asks for the photos again. Every view checks the clerk's role and the batch's owner: another
clerk's batch, or a page of another dossier, is 404.
"""
from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.permissions import roles_required
from ..catalog.models import Procedure
from ..core.i18n import N_
from ..core.roles import DESK
from ..dossiers.documents import page_response
from ..dossiers.states import Status
from ..extensions import db, limiter
from ..submissions.page_uploads import answer, receive_pages, script_message
from ..submissions.resumable_uploads import create_upload, options_answer, serve_upload
from . import bp, counter_batch

MSG_RECEIVED = N_("Hồ sơ này đã được tiếp nhận. Hãy mở lại trang tiếp nhận để nhập hồ sơ mới.")


def _procedure(procedure_id, index):
    procedure = db.session.get(Procedure, procedure_id)
    if procedure is None or not procedure.active or not 0 <= index < len(procedure.documents):
        abort(404)
    return procedure


@bp.route("/hop-thu/tiep-nhan-tai-quay/<int:procedure_id>/<batch>/giay-to/<int(min=0):index>/anh", methods=["POST"])
@roles_required(*DESK)
def counter_upload(procedure_id, batch, index):
    """One page of one document, sent by the upload script (the plain form posts the whole form)."""
    procedure = _procedure(procedure_id, index)
    if not counter_batch.valid_batch(batch):
        abort(404)
    pages = [(f.filename or "anh.jpg", f.read()) for f in request.files.getlist("file") if f and f.filename]
    if not pages:
        return script_message(_("Chưa chọn ảnh nào."), 400)
    dossier = counter_batch.open_draft(procedure, current_user, batch)
    if dossier is None:
        return script_message(_(MSG_RECEIVED), 409)
    received = receive_pages(pages, lambda data, name: counter_batch.attach(dossier, data, name, index))
    return answer(received, "inbox/_counter_pages.html",
                  page=lambda errors, status: script_message(" ".join(errors), status),
                  done=lambda count: redirect(url_for("inbox.new_counter", thu_tuc=procedure.id)), batch=batch)


@bp.route("/hop-thu/tiep-nhan-tai-quay/<int:procedure_id>/<batch>/giay-to/<int(min=0):index>/tai-len-tiep",
          methods=["POST", "OPTIONS"])
@roles_required(*DESK)
def counter_tus_create(procedure_id, batch, index):
    """Open a resumable upload of one document into the batch (tus creation)."""
    if request.method == "OPTIONS":
        return options_answer()
    procedure = _procedure(procedure_id, index)
    if not counter_batch.valid_batch(batch):
        abort(404)
    if counter_batch.open_draft(procedure, current_user, batch) is None:
        return script_message(_(MSG_RECEIVED), 409)
    return create_upload(counter_batch.owner(current_user, batch), str(index), lambda upload_id: url_for(
        "inbox.counter_tus_upload", batch=batch, upload_id=upload_id))


@bp.route("/hop-thu/tiep-nhan-tai-quay/<batch>/tai-len-tiep/<upload_id>",
          methods=["GET", "HEAD", "PATCH", "DELETE"])
@limiter.limit(lambda: current_app.config.get("COMMUNE_RESUMABLE_LIMIT", "1200 per hour"))
@roles_required(*DESK)
def counter_tus_upload(batch, upload_id):
    """One resumable upload of the batch: its offset, its next bytes, its end, its outcome."""
    dossier = counter_batch.find(current_user, batch)
    if dossier is None or dossier.status != Status.DRAFT:
        abort(404)

    def attach(data, filename, target):
        return counter_batch.attach(dossier, data, filename, int(target))

    def fragment(file_id):
        row = counter_batch.page_of(dossier, file_id)
        return None if row is None else render_template("inbox/_counter_pages.html", files=[row], batch=batch)

    return serve_upload(upload_id, counter_batch.owner(current_user, batch), attach, fragment)


def _page(batch, file_id):
    row = counter_batch.page_of(counter_batch.find(current_user, batch), file_id)
    if row is None:
        abort(404)
    return row


@bp.route("/hop-thu/tiep-nhan-tai-quay/<batch>/tep/<int:file_id>")
@roles_required(*DESK)
def counter_file(batch, file_id):
    """A page of the batch at full size, for the clerk checking what the camera took."""
    return page_response(_page(batch, file_id))


@bp.route("/hop-thu/tiep-nhan-tai-quay/<batch>/tep/<int:file_id>/nho")
@roles_required(*DESK)
def counter_thumb(batch, file_id):
    """A page's thumbnail in the counter form."""
    return page_response(_page(batch, file_id), thumb=True)
