"""Load or update the catalog from JSON (the format of data/commune_procedures.json).

Idempotent: loading the same file twice changes nothing. A malformed file is
rejected whole, naming the entry at fault, before anything is written.
"""
import json
from pathlib import Path

import sqlalchemy as sa

from ..dossiers.fees import count_questions
from ..extensions import db
from .models import (
    ONLINE_KINDS,
    RESULT_COPIES,
    RESULT_REFERENCE,
    Field,
    Procedure,
    RequiredDocument,
    fill_missing_search_text,
)

DEFAULT_PATH = Path(__file__).parent / "data" / "commune_procedures.json"


class CatalogError(ValueError):
    """The catalog file cannot be loaded; the message names the entry."""


def read_json(path, error_class):
    """The parsed JSON file at `path`; error_class(message) if it cannot be read or parsed."""
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise error_class(f"cannot read {path}: {error.strerror}") from error
    except json.JSONDecodeError as error:
        raise error_class(f"{path} is not valid JSON (line {error.lineno}): {error.msg}") from error


def read_catalog(path=None):
    """Parse and validate a catalog file; return its dict."""
    data = read_json(path or DEFAULT_PATH, CatalogError)
    validate(data)
    return data


def _require(condition, where, message):
    if not condition:
        raise CatalogError(f"{where}: {message}")


def validate(data):
    """Check the shape of a catalog dict; raise CatalogError naming the entry."""
    _require(isinstance(data, dict), "catalog", "must be an object with 'fields' and 'procedures'")
    fields = data.get("fields")
    procedures = data.get("procedures")
    _require(isinstance(fields, list), "catalog", "'fields' must be a list")
    _require(isinstance(procedures, list), "catalog", "'procedures' must be a list")
    field_codes = set()
    for i, field in enumerate(fields):
        where = f"fields[{i}]"
        _require(isinstance(field, dict), where, "must be an object")
        _require(isinstance(field.get("code"), str) and field["code"], where, "'code' is missing")
        _require(isinstance(field.get("name"), str) and field["name"], f"field {field['code']}",
                 "'name' is missing")
        field_codes.add(field["code"])
    seen_codes, seen_slugs = set(), set()
    for i, proc in enumerate(procedures):
        where = f"procedures[{i}]"
        _require(isinstance(proc, dict), where, "must be an object")
        for key in ("slug", "name", "field"):
            _require(isinstance(proc.get(key), str) and proc[key].strip(), where, f"'{key}' is missing")
        where = f"procedure {proc['slug']}"
        code = proc.get("code")
        _require(code is None or (isinstance(code, str) and code.strip()), where,
                 "'code' must be the national code or null")
        _require(code is None or code not in seen_codes, where, f"duplicate code {code}")
        _require(proc["slug"] not in seen_slugs, where, "duplicate slug")
        if code:
            seen_codes.add(code)
        seen_slugs.add(proc["slug"])
        _require(proc["field"] in field_codes, where, f"unknown field '{proc['field']}'")
        days = proc.get("processing_days")
        _require(days is None or (isinstance(days, int) and days >= 0), where,
                 "'processing_days' must be a whole number ≥ 0 or null")
        fee = proc.get("fee_vnd")
        _require(fee is None or (isinstance(fee, int) and fee >= 0), where,
                 "'fee_vnd' must be a whole number ≥ 0 or null")
        _validate_fee_rule(proc, where)
        _require(proc.get("online_level") in (None, *ONLINE_KINDS), where,
                 f"'online_level' must be one of {ONLINE_KINDS} or null")
        docs = proc.get("documents", [])
        _require(isinstance(docs, list), where, "'documents' must be a list")
        for j, doc in enumerate(docs):
            _require(isinstance(doc, dict) and isinstance(doc.get("name"), str) and doc["name"],
                     f"{where} documents[{j}]", "'name' is missing")
            _require(isinstance(doc.get("online_form", False), bool), f"{where} documents[{j}]",
                     "'online_form' must be true or false")
        _require(isinstance(proc.get("legal_basis", []), list), where, "'legal_basis' must be a list")
        _require(isinstance(proc.get("form_fields", []), list), where, "'form_fields' must be a list")
        _require(isinstance(proc.get("keywords", []), list), where, "'keywords' must be a list")


def _validate_fee_rule(proc, where):
    """The fee rule: `fee_count` names number questions of the procedure; the bounds are whole đồng."""
    count = proc.get("fee_count")
    _require(count is None or isinstance(count, str), where, "'fee_count' must be question names or null")
    numbers = {f.get("name") for f in proc.get("form_fields") or []
               if isinstance(f, dict) and f.get("type") == "number"}
    for name in count_questions(count):
        _require(name in numbers, where, f"'fee_count' names '{name}', which is not a number question")
    for key in ("fee_min_vnd", "fee_max_vnd"):
        value = proc.get(key)
        _require(value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 0), where,
                 f"'{key}' must be a whole number ≥ 0 or null")
    low, high = proc.get("fee_min_vnd"), proc.get("fee_max_vnd")
    _require(low is None or high is None or low <= high, where, "'fee_min_vnd' is above 'fee_max_vnd'")


def _procedure_values(proc, field_id):
    return {
        "code": proc.get("code"),
        "slug": proc["slug"],
        "name": proc["name"].strip(),
        "name_en": proc.get("name_en") or "",
        "field_id": field_id,
        "processing_days": proc.get("processing_days"),
        "processing_note": proc.get("processing_note") or "",
        "fee_vnd": proc.get("fee_vnd"),
        "fee_note": proc.get("fee_note") or "",
        "fee_unit": proc.get("fee_unit") or "",
        "fee_count": ", ".join(count_questions(proc.get("fee_count"))),
        "fee_min_vnd": proc.get("fee_min_vnd"),
        "fee_max_vnd": proc.get("fee_max_vnd"),
        "eligible_submitters": proc.get("eligible_submitters") or "",
        "result": proc.get("result") or "",
        "legal_basis": list(proc.get("legal_basis") or []),
        "online_level": proc.get("online_level"),
        "postal_return_allowed": bool(proc.get("postal_return_allowed")),
        "result_copy": proc["result_copy"] if proc.get("result_copy") in RESULT_COPIES else RESULT_REFERENCE,
        "form_fields": list(proc.get("form_fields") or []),
        "keywords": list(proc.get("keywords") or []),
        "popularity": proc.get("popularity"),
        "confidence": proc.get("confidence") or "sourced",
        "active": proc.get("active", True),
    }


def _document_values(doc, position):
    return {
        "position": position,
        "name": doc["name"],
        "original_or_copy": doc.get("original_or_copy") or "",
        "required": bool(doc.get("required", True)),
        "count": int(doc.get("count") or 1),
        "hint": doc.get("hint") or "",
        "online_form": bool(doc.get("online_form", False)),
    }


def load_catalog(data):
    """Create or update fields and procedures from a validated dict. Returns counts of changes.

    Flushes, never commits. Procedures absent from the file are left as they are.
    """
    stats = {"fields_added": 0, "fields_updated": 0, "procedures_added": 0, "procedures_updated": 0}
    fields = {f.code: f for f in db.session.scalars(sa.select(Field))}
    for position, item in enumerate(data["fields"]):
        values = {"name": item["name"], "name_en": item.get("name_en") or "", "position": position}
        field = fields.get(item["code"])
        if field is None:
            field = Field(code=item["code"], **values)
            db.session.add(field)
            fields[item["code"]] = field
            stats["fields_added"] += 1
        elif _apply(field, values):
            stats["fields_updated"] += 1
    db.session.flush()

    # Procedures are matched by slug: a few have no national code yet.
    existing = {p.slug: p for p in db.session.scalars(sa.select(Procedure))}
    for proc in data["procedures"]:
        values = _procedure_values(proc, fields[proc["field"]].id)
        documents = [_document_values(doc, i) for i, doc in enumerate(proc.get("documents") or [])]
        procedure = existing.get(proc["slug"])
        if procedure is None:
            procedure = Procedure(**values)
            procedure.documents = [RequiredDocument(**doc) for doc in documents]
            db.session.add(procedure)
            stats["procedures_added"] += 1
            continue
        changed = _apply(procedure, values)
        current_docs = [_document_values(vars_of(d), d.position) for d in procedure.documents]
        if current_docs != documents:
            procedure.documents = [RequiredDocument(**doc) for doc in documents]
            changed = True
        if changed:
            procedure.version += 1
            stats["procedures_updated"] += 1
    db.session.flush()
    fill_missing_search_text()  # a database from before the search columns: index it now
    return stats


def vars_of(document):
    """A RequiredDocument as the dict shape of the JSON file."""
    return {
        "name": document.name,
        "original_or_copy": document.original_or_copy,
        "required": document.required,
        "count": document.count,
        "hint": document.hint,
        "online_form": bool(document.online_form),
    }


def _apply(obj, values):
    """Set attributes that differ; return whether anything changed."""
    changed = False
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    return changed


def catalog_is_empty():
    return db.session.scalar(sa.select(sa.func.count()).select_from(Procedure)) == 0
