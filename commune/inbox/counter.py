"""Counter intake views: the clerk enters a walk-in or posted-in dossier with the villager's forms."""
import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import RadioField, SelectMultipleField

from ..accounts.permissions import roles_required
from ..catalog.models import Procedure
from ..core.forms import CommuneForm
from ..core.roles import DESK
from ..dossiers.models import CHANNEL_COUNTER, CHANNEL_LABELS, CHANNEL_POST
from ..extensions import db
from ..submissions.forms import DetailsForm, ResultForm, build_fields_form
from ..web.converters import db_id
from . import bp
from .intake import create_counter_dossier, missing_documents
from .services import ActionError


class IntakeForm(CommuneForm):
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
    """Enter a dossier at the desk: choose the procedure, then the villager's data and pages."""
    procedure_id = request.args.get("thu_tuc", type=db_id)
    procedure = db.session.get(Procedure, procedure_id) if procedure_id else None
    if procedure is None or not procedure.active:
        procedures = db.session.scalars(sa.select(Procedure).where(Procedure.active.is_(True))
                                        .order_by(Procedure.name)).all()
        return render_template("inbox/counter_choose.html", procedures=procedures)
    forms = _forms(procedure, submitted=request.method == "POST")
    doc_errors = {}
    paper_seen = _paper_seen(procedure) if request.method == "POST" else set()
    if request.method == "POST":
        valid = all([form.validate_on_submit() for form in forms.values()])
        uploads = _uploads(procedure)
        for index, name in missing_documents(procedure, uploads, paper_seen):
            doc_errors[index] = _("Chụp ảnh hoặc đánh dấu “đã xem bản giấy” cho: %(name)s.", name=name)
        if valid and not doc_errors:
            try:
                dossier = create_counter_dossier(
                    procedure, current_user, forms["intake"].channel.data, forms["details"], forms["result"],
                    forms["fields"], uploads, paper_seen)
            except ActionError as error:
                db.session.rollback()
                if error.field and error.field.startswith("doc-"):
                    doc_errors[int(error.field[4:])] = error.message
                else:
                    flash(error.message)
            else:
                flash(_("Đã tiếp nhận hồ sơ %(code)s.", code=dossier.display_code))
                return redirect(url_for("inbox.print_receipt", dossier_id=dossier.id, print=1))
        if doc_errors:
            flash(_("Các ảnh đã chọn cần chọn lại sau khi sửa lỗi."))
    status = 400 if request.method == "POST" else 200
    return render_template("inbox/counter.html", procedure=procedure, paper_seen=paper_seen,
                           doc_errors=doc_errors, **forms), status
