"""Catalog changes made by the admin: fields, procedures, blank forms, JSON import. Flush, never commit.

A procedure edit bumps Procedure.version; dossiers keep the procedure_snapshot
they were made with, so edits never change dossiers already submitted.
"""
import io
import json
import re
import unicodedata
import zipfile

import sqlalchemy as sa

from ..catalog.loader import CatalogError, load_catalog, validate
from ..catalog.models import BlankForm, Field, Procedure, RequiredDocument
from ..core.audit import audit, diff
from ..dossiers.fees import count_questions
from ..extensions import db
from ..files.storage import get_storage
from .catalog_export import field_to_dict, procedure_to_dict

BLANK_FORM_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class UploadRejected(ValueError):
    """The file is not what it claims or too large; the message is for the admin."""


def save_field(actor, form, field=None):
    """Create or update a field of procedures."""
    before = field_to_dict(field) | {"position": field.position, "active": field.active} if field else {}
    if field is None:
        field = Field(code=form.code.data)
        db.session.add(field)
    field.code = form.code.data
    field.name = form.name.data.strip()
    field.name_en = (form.name_en.data or "").strip()
    field.position = form.position.data or 0
    field.active = bool(form.active.data)
    db.session.flush()
    after = field_to_dict(field) | {"position": field.position, "active": field.active}
    audit(actor, "field.update" if before else "field.create", f"field {field.code}", diff(before, after))
    return field


def _lines(text, separator="\n"):
    return [part.strip() for part in (text or "").split(separator) if part.strip()]


def documents_from_form(rows):
    """The required documents from the editor's rows (rows without a name are dropped)."""
    documents = []
    for row in rows:
        if (row.form.name.data or "").strip():
            documents.append({
                "name": row.form.name.data.strip(),
                "original_or_copy": (row.form.original_or_copy.data or "").strip(),
                "required": bool(row.form.required.data),
                "count": row.form.count.data or 1,
                "hint": (row.form.hint.data or "").strip(),
                "online_form": bool(row.form.online_form.data),
            })
    return documents


def form_fields_from_form(rows):
    """The submission form's schema from the editor's rows (rows without a name are dropped)."""
    schema = []
    for row in rows:
        data = row.form
        if not (data.name.data or "").strip():
            continue
        item = {"name": data.name.data.strip(), "label": (data.label.data or "").strip(),
                "type": data.type.data, "required": bool(data.required.data)}
        choices = _lines(data.choices.data, ";")
        if data.type.data in ("select", "radio") and choices:
            item["choices"] = choices
        if (data.help.data or "").strip():
            item["help"] = data.help.data.strip()
        schema.append(item)
    return schema


def duplicate_names(schema):
    names = [item["name"] for item in schema]
    return sorted({n for n in names if names.count(n) > 1})


def save_procedure(actor, form, procedure=None):
    """Create or update a procedure from the edit form; a change bumps its version."""
    before = procedure_to_dict(procedure) | {"local_code": procedure.local_code} if procedure else {}
    creating = procedure is None
    if creating:
        procedure = Procedure(slug=form.slug.data, name=form.name.data, field_id=form.field_id.data)
        db.session.add(procedure)
    procedure.name = form.name.data.strip()
    procedure.name_en = (form.name_en.data or "").strip()
    procedure.code = (form.code.data or "").strip() or None
    procedure.local_code = (form.local_code.data or "").strip() or None
    procedure.slug = form.slug.data.strip()
    procedure.field_id = form.field_id.data
    procedure.processing_days = form.processing_days.data
    procedure.processing_note = (form.processing_note.data or "").strip()
    procedure.fee_vnd = form.fee_vnd.data
    procedure.fee_note = (form.fee_note.data or "").strip()
    procedure.fee_unit = (form.fee_unit.data or "").strip()
    procedure.fee_count = ", ".join(count_questions(form.fee_count.data))
    procedure.fee_min_vnd = form.fee_min_vnd.data
    procedure.fee_max_vnd = form.fee_max_vnd.data
    procedure.online_level = form.online_level.data or None
    procedure.postal_return_allowed = bool(form.postal_return_allowed.data)
    procedure.result_copy = form.result_copy.data or procedure.result_copy or "reference"
    procedure.eligible_submitters = (form.eligible_submitters.data or "").strip()
    procedure.result = (form.result.data or "").strip()
    procedure.legal_basis = _lines(form.legal_basis.data)
    procedure.keywords = _lines(form.keywords.data, ";")
    procedure.active = bool(form.active.data)
    procedure.form_fields = form_fields_from_form(form.form_fields)
    documents = documents_from_form(form.documents)
    if creating or [d for d in before.get("documents", [])] != documents:
        procedure.documents = [RequiredDocument(position=i, **d) for i, d in enumerate(documents)]
    db.session.flush()
    db.session.refresh(procedure)
    after = procedure_to_dict(procedure) | {"local_code": procedure.local_code}
    changes = diff(before, after)
    if not creating and changes:
        procedure.version += 1
        db.session.flush()
    if changes or creating:
        audit(actor, "procedure.create" if creating else "procedure.update", f"procedure {procedure.slug}",
              changes)
    return procedure


def set_procedure_active(actor, procedure, active):
    """Deactivate (hide from villagers) or reactivate a procedure."""
    if procedure.active != active:
        procedure.active = active
        procedure.version += 1
        db.session.flush()
        audit(actor, "procedure.activate" if active else "procedure.deactivate",
              f"procedure {procedure.slug}", {"active": {"before": not active, "after": active}})


def sniff_blank_form(data):
    """'pdf', 'doc' or 'docx' from the file's content, or raise UploadRejected."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            names = set()
        if "word/document.xml" in names and "[Content_Types].xml" in names:
            return "docx"
    raise UploadRejected("Chỉ nhận tệp PDF, DOC hoặc DOCX.")


def safe_filename(title, extension):
    """An ASCII download name made from the title."""
    text = unicodedata.normalize("NFKD", title.replace("đ", "d").replace("Đ", "D"))
    text = re.sub(r"[^A-Za-z0-9]+", "-", text.encode("ascii", "ignore").decode()).strip("-").lower()
    return f"{(text or 'mau')[:80]}.{extension}"


def attach_blank_form(actor, procedure, title, data, max_bytes):
    """Check a blank form by content and size, store it, attach it to the procedure."""

    if not data:
        raise UploadRejected("Tệp rỗng.")
    if len(data) > max_bytes:
        raise UploadRejected(f"Tệp quá lớn (tối đa {max_bytes // (1024 * 1024)} MB).")
    kind = sniff_blank_form(data)
    key = get_storage().save(data)
    blank = BlankForm(procedure=procedure, title=title.strip(), filename=safe_filename(title, kind),
                      mime=BLANK_FORM_TYPES[kind], storage_key=key, size_bytes=len(data))
    db.session.add(blank)
    db.session.flush()
    audit(actor, "blank_form.add", f"procedure {procedure.slug}",
          {"title": blank.title, "filename": blank.filename, "size_bytes": blank.size_bytes})
    return blank


def remove_blank_form(actor, blank):
    """Detach a blank form (the stored file stays: dossiers never point at it)."""
    audit(actor, "blank_form.remove", f"procedure {blank.procedure.slug}", {"title": blank.title})
    db.session.delete(blank)
    db.session.flush()


def import_catalog(actor, raw):
    """Validate and load an uploaded catalog JSON; raise CatalogError naming the fault."""
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CatalogError(f"không phải tệp JSON hợp lệ ({error})") from error
    validate(data)
    stats = load_catalog(data)
    audit(actor, "catalog.import", "catalog", stats)
    return stats


def field_choices():
    return [(f.id, f.name) for f in db.session.scalars(sa.select(Field).order_by(Field.position, Field.name))]
