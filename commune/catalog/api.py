"""Read-only JSON for other systems: the catalog and each procedure, with ETag (304 when unchanged)."""
from flask import abort, jsonify

from ..core.i18n import select_locale
from . import bp
from .caching import conditional
from .display import processing_note
from .links import public_url
from .queries import active_procedures, fields_with_counts, procedure_by_slug
from .search import procedure_stats


def _iso(moment):
    return moment.replace(microsecond=0).isoformat() + "Z" if moment else None


def procedure_summary(procedure):
    """The short form used in the list."""
    return {
        "slug": procedure.slug,
        "code": procedure.code,
        "name": procedure.name,
        "name_en": procedure.name_en,
        "field": procedure.field.code,
        "processing_days": procedure.processing_days,
        "fee_vnd": procedure.fee_vnd,
        "fee_unit": procedure.fee_unit,
        "online_level": procedure.online_level,
        "postal_return_allowed": procedure.postal_return_allowed,
        "popularity": procedure.popularity,
        "version": procedure.version,
        "updated_at": _iso(procedure.updated_at),
        "url": public_url("catalog.procedure", slug=procedure.slug),
        "api_url": public_url("catalog.api_detail", slug=procedure.slug),
    }


def procedure_detail(procedure):
    """Everything the procedure page shows, as data."""
    data = procedure_summary(procedure)
    data.update({
        "field": {"code": procedure.field.code, "name": procedure.field.name, "name_en": procedure.field.name_en},
        "active": procedure.active,
        "processing_note": processing_note(procedure),  # the cut-off hour as configured
        "fee_note": procedure.fee_note,
        "eligible_submitters": procedure.eligible_submitters,
        "result": procedure.result,
        "legal_basis": list(procedure.legal_basis or []),
        "keywords": list(procedure.keywords or []),
        "documents": [
            {"name": d.name, "original_or_copy": d.original_or_copy, "required": d.required,
             "count": d.count, "hint": d.hint, "online_form": bool(d.online_form)}
            for d in procedure.documents
        ],
        "blank_forms": [
            {"title": f.title, "filename": f.filename, "mime": f.mime, "size_bytes": f.size_bytes,
             "url": public_url("catalog.blank_form", slug=procedure.slug, form_id=f.id)}
            for f in procedure.blank_forms
        ],
        "guide_url": public_url("catalog.guide", slug=procedure.slug),
        "qr_url": public_url("catalog.qr", slug=procedure.slug),
    })
    return data


@bp.route("/api/procedures")
@conditional("api")
def api_list():
    """The whole catalog: fields with counts and a summary of every active procedure."""
    _, latest, _ = procedure_stats()
    procedures = [procedure_summary(p) for p in active_procedures()]
    return jsonify({
        "language": select_locale(),
        "updated_at": _iso(latest),
        "count": len(procedures),
        "fields": [{"code": f.code, "name": f.name, "name_en": f.name_en, "count": n}
                   for f, n in fields_with_counts()],
        "procedures": procedures,
    })


@bp.route("/api/procedures/<slug>")
@conditional("api")
def api_detail(slug):
    """One procedure in full (inactive ones too, marked "active": false)."""
    procedure = procedure_by_slug(slug)
    if procedure is None:
        abort(404)
    return jsonify(procedure_detail(procedure))
