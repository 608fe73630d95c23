"""Helpers for admin tests: an admin client and the form data of a procedure."""
import pytest


@pytest.fixture
def admin(login_as):
    return login_as("admin")


def procedure_data(procedure, **changes):
    """The edit form as the admin would post it, with `changes` applied."""
    data = {
        "name": procedure.name, "name_en": procedure.name_en, "code": procedure.code or "",
        "slug": procedure.slug, "field_id": str(procedure.field_id),
        "processing_days": "" if procedure.processing_days is None else str(procedure.processing_days),
        "processing_note": procedure.processing_note,
        "fee_vnd": "" if procedure.fee_vnd is None else str(procedure.fee_vnd),
        "fee_note": procedure.fee_note, "fee_unit": getattr(procedure, "fee_unit", ""),
        "online_level": procedure.online_level or "",
        "eligible_submitters": procedure.eligible_submitters, "result": procedure.result,
        "legal_basis": "\n".join(procedure.legal_basis), "keywords": "; ".join(procedure.keywords),
        "action": "save",
    }
    if procedure.active:
        data["active"] = "y"
    if procedure.postal_return_allowed:
        data["postal_return_allowed"] = "y"
    for i, doc in enumerate(procedure.documents):
        data[f"documents-{i}-name"] = doc.name
        data[f"documents-{i}-original_or_copy"] = doc.original_or_copy
        data[f"documents-{i}-count"] = str(doc.count)
        data[f"documents-{i}-hint"] = doc.hint
        if doc.required:
            data[f"documents-{i}-required"] = "y"
        if doc.online_form:
            data[f"documents-{i}-online_form"] = "y"
    for i, item in enumerate(procedure.form_fields or []):
        data[f"form_fields-{i}-name"] = item["name"]
        data[f"form_fields-{i}-label"] = item["label"]
        data[f"form_fields-{i}-type"] = item["type"]
        data[f"form_fields-{i}-choices"] = "; ".join(item.get("choices") or [])
        data[f"form_fields-{i}-help"] = item.get("help", "")
        if item.get("required"):
            data[f"form_fields-{i}-required"] = "y"
    data.update(changes)
    return data

