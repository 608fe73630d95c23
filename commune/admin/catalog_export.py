"""The catalog as JSON, in the format of commune/catalog/data/commune_procedures.json.

export_catalog() followed by commune.catalog.loader.load_catalog() changes nothing
(tested as a round trip).
"""
import sqlalchemy as sa

from ..catalog import loader
from ..catalog.loader import vars_of
from ..catalog.models import Field, Procedure
from ..core.timeutil import local_today
from ..extensions import db


def field_to_dict(field):
    return {"code": field.code, "name": field.name, "name_en": field.name_en}


def procedure_to_dict(procedure):
    """One procedure as the JSON file holds it."""
    return {
        "code": procedure.code,
        "slug": procedure.slug,
        "field": procedure.field.code if procedure.field else None,
        "name": procedure.name,
        "name_en": procedure.name_en,
        "processing_days": procedure.processing_days,
        "processing_note": procedure.processing_note,
        "fee_vnd": procedure.fee_vnd,
        "fee_note": procedure.fee_note,
        "documents": [vars_of(d) for d in procedure.documents],
        "eligible_submitters": procedure.eligible_submitters,
        "result": procedure.result,
        "legal_basis": list(procedure.legal_basis or []),
        "online_level": procedure.online_level,
        "postal_return_allowed": procedure.postal_return_allowed,
        "form_fields": list(procedure.form_fields or []),
        "keywords": list(procedure.keywords or []),
        "popularity": procedure.popularity,
        "confidence": procedure.confidence,
        "active": procedure.active,
    } | _other_loader_keys(procedure)


def _other_loader_keys(procedure):
    """Any column the loader reads that this module does not name yet (the format grows)."""
    keys = loader._procedure_values({"slug": "-", "name": "-", "field": "-"}, None).keys()
    known = {"field_id", "code", "slug", "name", "name_en", "processing_days", "processing_note", "fee_vnd",
             "fee_note", "eligible_submitters", "result", "legal_basis", "online_level",
             "postal_return_allowed", "form_fields", "keywords", "popularity", "confidence", "active"}
    extra = {}
    for key in keys:
        if key not in known and hasattr(procedure, key):
            value = getattr(procedure, key)
            extra[key] = list(value) if isinstance(value, list) else value
    return extra


def export_catalog():
    """Every field and procedure (active or not) as one JSON-ready dict."""
    fields = db.session.scalars(sa.select(Field).order_by(Field.position, Field.id)).all()
    procedures = db.session.scalars(sa.select(Procedure).order_by(Procedure.field_id, Procedure.id)).all()
    return {
        "source_note": "Xuất từ trang quản trị Một Cửa Xã.",
        "as_of": local_today().isoformat(),
        "fields": [field_to_dict(f) for f in fields],
        "procedures": [procedure_to_dict(p) for p in procedures],
    }
