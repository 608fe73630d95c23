"""Catalog editor: fields, procedures (documents, form schema with preview), blank forms, JSON import/export."""
import json

import sqlalchemy as sa
from flask import Response, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..catalog.loader import CatalogError
from ..catalog.models import BlankForm, Field, Procedure
from ..core.forms import ButtonForm
from ..core.timeutil import local_today
from ..extensions import db
from ..files.storage import StorageError, get_storage
from . import bp
from . import catalog_services as catalog
from .catalog_export import export_catalog
from .forms import BlankFormUpload, FieldForm, ImportForm, ProcedureForm

BLANK_ROWS = 2
DEFAULT_BLANK_FORM_MB = 10


def _get(model, object_id):
    return db.session.get(model, object_id) or abort(404)


@bp.route("/linh-vuc")
def fields():
    """All fields of procedures."""
    rows = db.session.scalars(sa.select(Field).order_by(Field.position, Field.name)).all()
    return render_template("admin/fields.html", fields=rows)


@bp.route("/linh-vuc/moi", methods=["GET", "POST"])
@bp.route("/linh-vuc/<int:field_id>", methods=["GET", "POST"])
def edit_field(field_id=None):
    """Create or edit a field (deactivate by unticking 'Đang dùng')."""
    field = _get(Field, field_id) if field_id else None
    form = FieldForm(obj=field)
    if form.validate_on_submit():
        clash = db.session.scalar(sa.select(Field).filter_by(code=form.code.data))
        if clash is not None and clash is not field:
            form.code.errors.append(_("Mã này đã có."))
        else:
            catalog.save_field(current_user, form, field)
            flash(_("Đã lưu lĩnh vực."))
            return redirect(url_for("admin.fields"))
    return render_template("admin/field_edit.html", form=form, field=field)


@bp.route("/thu-tuc")
def procedures():
    """All procedures by field."""
    rows = db.session.scalars(sa.select(Procedure).join(Field).order_by(Field.position, Procedure.name)).all()
    return render_template("admin/procedures.html", procedures=rows, confirm=ButtonForm())


def _fill_rows(form, procedure):
    """Existing documents and questions, plus blank rows to add new ones (works without JavaScript)."""
    for document in (procedure.documents if procedure else []):
        form.documents.append_entry({"name": document.name, "original_or_copy": document.original_or_copy,
                                     "count": document.count, "required": document.required,
                                     "hint": document.hint, "online_form": document.online_form})
    for item in (procedure.form_fields if procedure else []):
        form.form_fields.append_entry({"name": item.get("name", ""), "label": item.get("label", ""),
                                       "type": item.get("type", "text"), "required": item.get("required"),
                                       "choices": "; ".join(item.get("choices") or []),
                                       "help": item.get("help", "")})


def _add_blank_rows(form):
    for _i in range(BLANK_ROWS):
        form.documents.append_entry({"count": 1, "required": True})
        form.form_fields.append_entry({"type": "text"})


SIMPLE_FIELDS = ("name", "name_en", "code", "local_code", "slug", "field_id", "processing_days", "processing_note",
                 "fee_vnd", "fee_unit", "fee_note", "fee_count", "fee_min_vnd", "fee_max_vnd",
                 "postal_return_allowed", "result_copy", "eligible_submitters", "result",
                 "active")


def _procedure_form(procedure, posted=None):
    if request.method == "POST" if posted is None else posted:
        form = ProcedureForm()
        form.editing = procedure
    else:
        data = {"active": True, "online_level": ""}
        if procedure:
            data = {name: getattr(procedure, name, None) for name in SIMPLE_FIELDS}
            data.update(legal_basis="\n".join(procedure.legal_basis or []),
                        keywords="; ".join(procedure.keywords or []),
                        online_level=procedure.online_level or "")
        form = ProcedureForm(data=data)
        _fill_rows(form, procedure)
        _add_blank_rows(form)
    form.field_id.choices = catalog.field_choices()
    return form


def _questions_unique(form):
    names = catalog.duplicate_names(catalog.form_fields_from_form(form.form_fields))
    if names:
        form.form_fields.errors.append(_("Mã câu hỏi bị trùng: %(n)s", n=", ".join(names)))
    return not names


@bp.route("/thu-tuc/moi", methods=["GET", "POST"])
@bp.route("/thu-tuc/<int:procedure_id>", methods=["GET", "POST"])
def edit_procedure(procedure_id=None):
    """Create or edit a procedure; 'Xem trước' shows the submission form without saving."""
    procedure = _get(Procedure, procedure_id) if procedure_id else None
    form = _procedure_form(procedure)
    preview = None
    if form.validate_on_submit():
        if form.action.data == "preview":
            preview = catalog.form_fields_from_form(form.form_fields)
        elif _questions_unique(form):
            saved = catalog.save_procedure(current_user, form, procedure)
            flash(_("Đã lưu thủ tục (phiên bản %(v)s). Hồ sơ đã nộp giữ nguyên phiên bản cũ.", v=saved.version))
            return redirect(url_for("admin.edit_procedure", procedure_id=saved.id))
    if preview is None:
        preview = procedure.form_fields if procedure and request.method == "GET" else \
            catalog.form_fields_from_form(form.form_fields)
    status = 400 if request.method == "POST" and form.errors else 200
    return render_template("admin/procedure_edit.html", form=form, procedure=procedure, preview=preview,
                           upload=BlankFormUpload(), confirm=ButtonForm()), status


@bp.route("/thu-tuc/<int:procedure_id>/trang-thai", methods=["POST"])
def toggle_procedure(procedure_id):
    """Deactivate a procedure (villagers no longer see it) or reactivate it."""
    procedure = _get(Procedure, procedure_id)
    if ButtonForm().validate_on_submit():
        catalog.set_procedure_active(current_user, procedure, not procedure.active)
        flash(_("Đã ngừng áp dụng thủ tục.") if not procedure.active else _("Đã áp dụng lại thủ tục."))
    return redirect(url_for("admin.procedures"))


@bp.route("/thu-tuc/<int:procedure_id>/mau-don", methods=["POST"])
def upload_blank_form(procedure_id):
    """Attach a blank form (PDF, DOC or DOCX, checked by content and size)."""
    procedure = _get(Procedure, procedure_id)
    upload = BlankFormUpload()
    if upload.validate_on_submit():
        limit = current_app.config.get("COMMUNE_BLANK_FORM_MB", DEFAULT_BLANK_FORM_MB) * 1024 * 1024
        try:
            catalog.attach_blank_form(current_user, procedure, upload.title.data, upload.file.data.read(limit + 1),
                                      limit)
        except catalog.UploadRejected as error:
            upload.file.errors.append(_(str(error)))
        else:
            flash(_("Đã đính kèm mẫu đơn."))
            return redirect(url_for("admin.edit_procedure", procedure_id=procedure.id) + "#mau-don")
    form = _procedure_form(procedure, posted=False)
    return render_template("admin/procedure_edit.html", form=form, procedure=procedure,
                           preview=procedure.form_fields, upload=upload, confirm=ButtonForm()), 400


@bp.route("/mau-don/<int:blank_id>")
def download_blank_form(blank_id):
    """The stored blank form, as the admin uploaded it."""

    blank = _get(BlankForm, blank_id)
    try:
        path = get_storage().path(blank.storage_key)
    except StorageError:
        abort(404)
    return send_file(path, mimetype=blank.mime, as_attachment=True, download_name=blank.filename)


@bp.route("/mau-don/<int:blank_id>/xoa", methods=["POST"])
def remove_blank_form(blank_id):
    """Detach a blank form from its procedure."""
    blank = _get(BlankForm, blank_id)
    procedure_id = blank.procedure_id
    if ButtonForm().validate_on_submit():
        catalog.remove_blank_form(current_user, blank)
        flash(_("Đã gỡ mẫu đơn."))
    return redirect(url_for("admin.edit_procedure", procedure_id=procedure_id) + "#mau-don")


@bp.route("/danh-muc/xuat")
def export_json():
    """Download the whole catalog as JSON (the format of the default catalog file)."""
    body = json.dumps(export_catalog(), ensure_ascii=False, indent=1)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="danh-muc-{local_today():%Y%m%d}.json"'
    return response


@bp.route("/danh-muc/nhap", methods=["GET", "POST"])
def import_json():
    """Upload a catalog JSON: validated whole, then added/updated (procedures absent stay as they are)."""
    form = ImportForm()
    if form.validate_on_submit():
        try:
            stats = catalog.import_catalog(current_user, form.file.data.read())
        except CatalogError as error:
            form.file.errors.append(_("Không nhập được: %(e)s", e=str(error)))
        else:
            flash(_("Đã nhập: %(a)s thủ tục mới, %(u)s thủ tục cập nhật; %(fa)s lĩnh vực mới.",
                    a=stats["procedures_added"], u=stats["procedures_updated"], fa=stats["fields_added"]))
            return redirect(url_for("admin.procedures"))
    return render_template("admin/import.html", form=form), 400 if form.errors else 200
