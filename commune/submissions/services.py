"""State changes of the submission journey: drafts, answers, submit, purge (flush, never commit)."""
import secrets
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from ..core.settings import get_settings
from ..core.timeutil import utcnow
from ..dossiers.access import hash_token, new_token
from ..dossiers.codes import new_lookup_key, new_tracking_code
from ..dossiers.fees import compute_fee
from ..dossiers.models import CHANNEL_ONLINE, RESULT_AT_OFFICE, RESULT_BY_POST, Dossier, DossierFile
from ..dossiers.questions import usable_fields
from ..dossiers.retention import draft_days
from ..dossiers.rules import procedure_snapshot
from ..dossiers.search import search_text
from ..dossiers.states import Status
from ..dossiers.workflow import transition
from ..extensions import db
from ..files.storage import release_keys
from .forms import form_value, stored_value


def touch(dossier):
    """Keep an active draft alive for another draft retention period (core.retention.draft_days)."""
    dossier.expires_at = utcnow() + timedelta(days=draft_days())


def create_draft(procedure):
    """A new draft dossier for `procedure`; returns (dossier, token). The token goes in the cookie."""
    token = new_token()
    dossier = Dossier(
        procedure=procedure, procedure_snapshot=procedure_snapshot(procedure, online=True), status=Status.DRAFT,
        channel=CHANNEL_ONLINE, draft_token_hash=hash_token(token), result_method=RESULT_AT_OFFICE,
    )
    touch(dossier)
    db.session.add(dossier)
    db.session.flush()
    return dossier, token


def find_by_token(token):
    """The dossier (draft or submitted) a draft token belongs to, or None."""
    if not token:
        return None
    return db.session.scalar(sa.select(Dossier).where(Dossier.draft_token_hash == hash_token(token)))


def live_draft(token):
    """The unexpired draft of this token, or None."""
    dossier = find_by_token(token)
    if dossier is None or dossier.status != Status.DRAFT:
        return None
    if dossier.expires_at is not None and dossier.expires_at < utcnow():
        return None
    return dossier


DETAIL_ATTRS = {
    "full_name": "applicant_name", "phone": "applicant_phone", "id_number": "applicant_id_number",
    "village": "applicant_village", "address": "applicant_address", "email": "applicant_email",
    "helper_name": "helper_name", "helper_phone": "helper_phone", "helper_role": "helper_role",
    "helper_relation": "helper_relation",
}
DELIVERY_ATTRS = ("delivery_name", "delivery_phone", "delivery_village", "delivery_address", "delivery_note")


def details_of(dossier):
    """The details step's values from a dossier (to prefill the form)."""
    values = {name: getattr(dossier, attr) or "" for name, attr in DETAIL_ATTRS.items()}
    return values | {"for_someone": bool(dossier.helper_name)}


def save_details(dossier, form):
    """Store the applicant's details from a valid DetailsForm."""
    for name, attr in DETAIL_ATTRS.items():
        setattr(dossier, attr, form[name].data or "")
    touch(dossier)
    db.session.flush()


def fields_of(dossier):
    """The procedure questions' stored answers as form values."""
    answers = dossier.form_data or {}
    return {spec["name"]: form_value(spec, answers.get(spec["name"])) for spec in question_specs(dossier)}


def question_specs(dossier):
    return usable_fields((dossier.procedure_snapshot or {}).get("form_fields"))


def save_fields(dossier, form):
    """Store the answers to the procedure's own questions from a valid form."""
    dossier.form_data = {spec["name"]: stored_value(spec, form[spec["name"]]) for spec in question_specs(dossier)}
    touch(dossier)
    db.session.flush()


def postal_allowed(dossier):
    return bool((dossier.procedure_snapshot or {}).get("postal_return_allowed"))


def result_of(dossier):
    """The result step's values, prefilled from the applicant when the villager has not typed any."""
    values = {attr: getattr(dossier, attr) or "" for attr in DELIVERY_ATTRS}
    values["result_method"] = dossier.result_method or RESULT_AT_OFFICE
    defaults = {"delivery_name": dossier.applicant_name, "delivery_phone": dossier.applicant_phone,
                "delivery_village": dossier.applicant_village, "delivery_address": dossier.applicant_address}
    for attr, value in defaults.items():
        values[attr] = values[attr] or value or ""
    return values


def save_result(dossier, form):
    """Store how the result goes back (office, or post to an address)."""
    method = form.result_method.data if postal_allowed(dossier) else RESULT_AT_OFFICE
    dossier.result_method = method
    for attr in DELIVERY_ATTRS:
        setattr(dossier, attr, (form[attr].data or "") if method == RESULT_BY_POST else "")
    touch(dossier)
    db.session.flush()


def draft_files(dossier):
    """The draft's pages grouped by document index (None = other papers)."""
    groups = {}
    for row in dossier.files:
        if row.round == 0 and row.purpose == "document":
            groups.setdefault(row.document_index, []).append(row)
    return groups


def missing_parts(dossier):
    """What still stops the submit: [(step, message)] in journey order."""
    missing = []
    if not all(getattr(dossier, attr) for attr in
               ("applicant_name", "applicant_id_number", "applicant_village", "applicant_address")):
        missing.append(("details", "Chưa điền đủ thông tin người nộp."))
    answers = dossier.form_data or {}
    for spec in question_specs(dossier):
        if spec.get("required") and answers.get(spec["name"]) in (None, ""):
            missing.append(("fields", f"Chưa trả lời: {spec.get('label') or spec['name']}."))
    groups = draft_files(dossier)
    for index, doc in enumerate((dossier.procedure_snapshot or {}).get("documents", [])):
        if doc.get("required") and not groups.get(index):
            missing.append(("photos", f"Chưa có ảnh: {doc['name']}"))
    if dossier.result_method == RESULT_BY_POST and postal_allowed(dossier):
        if not all(getattr(dossier, attr) for attr in DELIVERY_ATTRS[:4]):
            missing.append(("result", "Chưa điền đủ địa chỉ nhận kết quả qua bưu điện."))
    return missing


def ensure_submit_key(dossier):
    """The idempotency key the check page puts in its form (made once per draft)."""
    if not dossier.submit_key:
        dossier.submit_key = secrets.token_urlsafe(24)
        db.session.flush()
    return dossier.submit_key


def already_submitted(key, token):
    """The dossier a repeated submit (double tap, retry) already turned in: by the form's key or
    this browser's draft token; None when there is none yet."""
    key = (key or "").strip()
    for found in (db.session.scalar(sa.select(Dossier).where(Dossier.submit_key == key)) if key else None,
                  find_by_token(token)):
        if found is not None and found.status != Status.DRAFT and found.code:
            return found
    return None


def key_fits(key, dossier):
    """A submit key that belongs to another dossier is refused (a form copied from elsewhere)."""
    key = (key or "").strip()
    if not key:
        return True
    owner = db.session.scalar(sa.select(Dossier.id).where(Dossier.submit_key == key))
    return owner is None or owner == dossier.id


def submit_once(dossier):
    """Submit the draft exactly once (flush only) and return the submitted dossier.

    Two submits of one draft at the same moment (two taps, two tabs) meet on the draft's version:
    the one that loses rolls back and returns the dossier the winner submitted."""
    try:
        submit(dossier)
        db.session.flush()
        return dossier
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        won = db.session.get(Dossier, dossier.id)
        if won is None or not won.code:
            raise
        return won


def _unique_code():
    while True:
        code = new_tracking_code()
        if not db.session.scalar(sa.select(Dossier.id).where(Dossier.code == code)):
            return code


def submit(dossier):
    """Turn a complete draft into a submitted dossier with its tracking code (flush only)."""
    now = utcnow()
    settings = get_settings()
    snapshot = dossier.procedure_snapshot or {}
    if not postal_allowed(dossier):
        dossier.result_method = RESULT_AT_OFFICE
    dossier.code = _unique_code()
    dossier.lookup_key = new_lookup_key()
    dossier.submitted_at = now
    dossier.expires_at = None
    dossier.channel = CHANNEL_ONLINE
    dossier.receiving_unit = settings.get("receiving_unit") or ""
    dossier.competent_unit = dossier.competent_unit or dossier.receiving_unit
    dossier.fee_vnd = compute_fee(snapshot, dossier.form_data)
    dossier.search_text = search_text(dossier)
    transition(dossier, Status.SUBMITTED, note="Nộp hồ sơ trực tuyến.", actor_label="Công dân")
    db.session.flush()
    return dossier


def purge_expired(now=None):
    """Delete drafts past their expiry and their files; returns how many. Commits (CLI only)."""
    now = now or utcnow()
    drafts = db.session.scalars(sa.select(Dossier).where(
        Dossier.status == Status.DRAFT, Dossier.expires_at.is_not(None), Dossier.expires_at < now)).all()
    keys = set()
    for dossier in drafts:
        for row in db.session.scalars(sa.select(DossierFile).where(DossierFile.dossier_id == dossier.id)):
            keys |= {row.storage_key, row.thumb_key}
        db.session.delete(dossier)
    db.session.commit()  # the CLI's own transaction (`flask drafts purge`)
    # Files go only after the rows are gone for good, and only if no other dossier shares them.
    release_keys(keys)
    return len(drafts)
