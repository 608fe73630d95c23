"""Counter intake views: the clerk enters a walk-in or posted-in dossier with the villager's forms."""
import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import HiddenField, RadioField, SelectMultipleField

from ..accounts.permissions import roles_required
from ..catalog.models import Procedure
from ..core.forms import CommuneForm
from ..core.roles import DESK
from ..dossiers.access import hand_over_key
from ..dossiers.attachments import remove_file
from ..dossiers.models import CHANNEL_COUNTER, CHANNEL_LABELS, CHANNEL_POST
from ..dossiers.states import Status
from ..extensions import db
from ..files.storage import release_keys
from ..submissions.forms import DetailsForm, ResultForm, build_fields_form
from ..uploads import pages_by_document, receive_pages
from ..web.converters import db_id
from ..web.unit_of_work import after_commit, keep_changes
from . import bp, counter_batch
from .intake import create_counter_dossier, missing_documents
from .services import ActionError


class IntakeForm(CommuneForm):
    batch = HiddenField()  # the form's batch of pages (counter_batch.py)
    channel = RadioField(_l("Hồ sơ đến qua"), default=CHANNEL_COUNTER, choices=[
        (CHANNEL_COUNTER, _l(CHANNEL_LABELS[CHANNEL_COUNTER])), (CHANNEL_POST, _l(CHANNEL_LABELS[CHANNEL_POST]))])


class PaperSeenForm(CommuneForm):
    """The documents the clerk saw on paper instead of photographing them (one box per document)."""

    class Meta:
        csrf = False  # part of the counter's page, whose other forms carry the token

    paper_seen = SelectMultipleField(coerce=lambda v: int(v) if str(v).isdecimal() and len(str(v)) < 4 else -1,
                                     validate_choice=False)


def _forms(procedure, submitted):
    kwargs = {} if submitted else {"formdata": None}
    fields_cls = build_fields_form(procedure.form_fields)
    return {
        "intake": IntakeForm(prefix="c", **kwargs),
        "details": DetailsForm(prefix="a", **kwargs),
        "result": ResultForm(prefix="r", **({} if submitted else {"formdata": None,
                                                                   "result_method": "office"})),
        "fields": fields_cls(prefix="f", **kwargs),
    }


def _uploads(procedure):
    """{document index: [(bytes, filename)]} from the per-document file inputs (empty parts skipped)."""
    uploads = {}
    for index in range(len(procedure.documents)):
        files = [(f.read(), f.filename) for f in request.files.getlist(f"doc-{index}") if f and f.filename]
        if files:
            uploads[index] = files
    return uploads


def _paper_seen(procedure):
    form = PaperSeenForm()
    form.validate()
    return {index for index in form.paper_seen.data or () if 0 <= index < len(procedure.documents)}


@bp.route("/hop-thu/tiep-nhan-tai-quay", methods=["GET", "POST"])
@roles_required(*DESK)
def new_counter():
    """Enter a dossier at the desk: choose the procedure, then the villager's data and pages.

    Pages go into the form's batch as soon as they are taken (counter_uploads.py), or with the
    plain form; either way they stay when the form comes back with a mistake to fix."""
    procedure_id = request.args.get("thu_tuc", type=db_id)
    procedure = db.session.get(Procedure, procedure_id) if procedure_id else None
    if procedure is None or not procedure.active:
        procedures = db.session.scalars(sa.select(Procedure).where(Procedure.active.is_(True))
                                        .order_by(Procedure.name)).all()
        return render_template("inbox/counter_choose.html", procedures=procedures)
    posted = request.method == "POST"
    forms = _forms(procedure, submitted=posted)
    batch = counter_batch.valid_batch(forms["intake"].batch.data) if posted else None
    forms["intake"].batch.data = batch = batch or counter_batch.new_batch()
    if not posted:
        return _page(procedure, forms, batch, None, set(), {})
    draft = counter_batch.find(current_user, batch)
    if draft is not None and draft.status != Status.DRAFT:  # the button pressed twice
        flash(_("Hồ sơ %(code)s đã được tiếp nhận.", code=draft.display_code))
        return redirect(url_for("inbox.print_receipt", dossier_id=draft.id, print=1))
    if draft is not None and draft.procedure_id != procedure.id:
        draft = None
    paper_seen = _paper_seen(procedure)
    draft, doc_errors = _keep_posted_pages(procedure, draft, batch)
    if _drop_page(draft):
        return _page(procedure, forms, batch, draft, paper_seen, doc_errors, 200 if not doc_errors else 400)
    valid = all([form.validate_on_submit() for form in forms.values()])
    pages = pages_by_document(draft)
    for index, name in missing_documents(procedure, pages, paper_seen):
        doc_errors.setdefault(index, _("Chụp ảnh hoặc đánh dấu “đã xem bản giấy” cho: %(name)s.", name=name))
    if valid and not doc_errors:
        try:
            with db.session.begin_nested():
                dossier = create_counter_dossier(
                    procedure, current_user, forms["intake"].channel.data, forms["details"], forms["result"],
                    forms["fields"], draft, paper_seen, counter_batch.owner(current_user, batch))
        except ActionError as error:
            flash(error.message)
        else:
            hand_over_key(dossier)  # the slip printed next shows the key once (the database keeps its hash)
            flash(_("Đã tiếp nhận hồ sơ %(code)s.", code=dossier.display_code))
            return redirect(url_for("inbox.print_receipt", dossier_id=dossier.id, print=1))
    return _page(procedure, forms, batch, draft, paper_seen, doc_errors, 400)


def _keep_posted_pages(procedure, draft, batch):
    """Put the pages posted with the plain form into the batch: (the batch's draft, {index: message})."""
    doc_errors = {}
    uploads = _uploads(procedure)
    if not uploads:
        return draft, doc_errors
    created = draft is None
    draft = draft or counter_batch.open_draft(procedure, current_user, batch)
    kept = 0
    for index, files in uploads.items():
        received = receive_pages([(name, data) for data, name in files],
                                 lambda data, name, i=index: counter_batch.attach(draft, data, name, i),
                                 always_named=True)
        kept += len(received.added)
        if received.errors:
            doc_errors[index] = " ".join(received.errors)
    if created and not kept:  # every page refused: no batch to keep
        db.session.delete(draft)
        db.session.flush()
        return None, doc_errors
    return draft, doc_errors


def _drop_page(draft):
    """The form's "Xóa" under a page: take it out of the batch. Whether the form asked for that."""
    value = request.form.get("c-drop", "")
    if not value:
        return False
    row = counter_batch.page_of(draft, int(value)) if value.isdecimal() and len(value) < 12 else None
    if row is not None:
        keys = remove_file(row)
        after_commit(lambda: release_keys(keys))
        flash(_("Đã xóa trang."))
    return True


def _page(procedure, forms, batch, draft, paper_seen, doc_errors, status=200):
    if draft is not None:
        keep_changes()  # the pages kept in the batch stay, whatever the form's mistakes
    return render_template("inbox/counter.html", procedure=procedure, paper_seen=paper_seen, batch=batch,
                           pages=pages_by_document(draft), doc_errors=doc_errors, **forms), status
