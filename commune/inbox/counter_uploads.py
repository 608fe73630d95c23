"""The counter's pages sent as soon as they are taken: one-shot, resumable (tus 1.0), and shown back.

The same script and protocol as the villager's photo step (static/js/upload.js): each page goes
into the clerk's batch (counter_batch.py) before the form is sent, so a mistake in the form never
asks for the photos again. Every view checks the clerk's role and the batch's owner: another
clerk's batch, or a page of another dossier, is 404.
"""
from flask import abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.permissions import roles_required
from ..catalog.models import Procedure
from ..core.i18n import N_
from ..core.roles import DESK
from ..dossiers.documents import page_response
from ..dossiers.states import Status
from ..extensions import db
from ..uploads import Opening, Reach, answer, receive_pages, resumable_routes, script_message
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


def _tus_opening(procedure_id, batch, index):
    procedure = _procedure(procedure_id, index)
    if not counter_batch.valid_batch(batch):
        abort(404)
    if counter_batch.open_draft(procedure, current_user, batch) is None:
        return script_message(_(MSG_RECEIVED), 409)
    return Opening(counter_batch.owner(current_user, batch), str(index), {"batch": batch})


def _tus_reach(batch):
    dossier = counter_batch.find(current_user, batch)
    if dossier is None or dossier.status != Status.DRAFT:
        abort(404)

    def attach(data, filename, target):
        return counter_batch.attach(dossier, data, filename, int(target))

    def page(file_id):
        return counter_batch.page_of(dossier, file_id)

    return Reach(counter_batch.owner(current_user, batch), attach, page, "inbox/_counter_pages.html", {"batch": batch})


# Staff's creations count against no address's rate, as their one-shot pages: they are accountable,
# and the whole counter shares one address (files/upload_guard.py counts their bytes no more).
resumable_routes(bp, "/hop-thu/tiep-nhan-tai-quay/<int:procedure_id>/<batch>/giay-to/<int(min=0):index>/tai-len-tiep",
                 "/hop-thu/tiep-nhan-tai-quay/<batch>/tai-len-tiep/<upload_id>", _tus_opening, _tus_reach,
                 prefix="counter_", guard=roles_required(*DESK), limit_creation=False)


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
