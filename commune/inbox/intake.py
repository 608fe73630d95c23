"""Counter intake: a walk-in (or posted-in) dossier entered by the clerk and received at once."""
import sqlalchemy as sa
from flask_babel import gettext as _

from ..core.settings import get_settings
from ..core.timeutil import utcnow
from ..dossiers.access import hash_token
from ..dossiers.codes import new_lookup_key, new_tracking_code
from ..dossiers.fees import compute_fee
from ..dossiers.models import CHANNEL_COUNTER, CHANNEL_POST, RESULT_AT_OFFICE, RESULT_BY_POST, Dossier
from ..dossiers.questions import usable_fields
from ..dossiers.rules import procedure_snapshot
from ..dossiers.search import search_text
from ..dossiers.states import Status
from ..dossiers.workflow import transition
from ..extensions import db
from ..submissions.forms import stored_value
from ..submissions.services import DELIVERY_ATTRS, DETAIL_ATTRS
from .services import ActionError, receive

INTAKE_CHANNELS = (CHANNEL_COUNTER, CHANNEL_POST)


def _unique_code():
    while True:
        code = new_tracking_code()
        if not db.session.scalar(sa.select(Dossier.id).where(Dossier.code == code)):
            return code


def missing_documents(procedure, pages, paper_seen):
    """Names of required documents with neither a page (`pages`: {index: [pages]}) nor a ticked
    'paper original seen'."""
    return [(i, d.name) for i, d in enumerate(procedure.documents)
            if d.required and not pages.get(i) and i not in paper_seen]


def create_counter_dossier(procedure, clerk, channel, details, result, fields, draft, paper_seen, token):
    """Enter a dossier brought to the desk (or by the post): submitted and received in one go.

    `details`, `result`, `fields` are validated forms; `draft` is the counter batch's draft with
    the pages already taken (counter_batch.py), or None when none was; `paper_seen` is the set
    of document indexes whose paper original was seen; `token` is the batch's token, kept on
    the dossier so the same form sent twice finds it received.
    """
    if channel not in INTAKE_CHANNELS:
        raise ActionError(_("Chọn kênh tiếp nhận."), "channel")
    settings = get_settings()
    snapshot = procedure_snapshot(procedure)
    dossier = draft
    if dossier is None:
        dossier = Dossier(procedure=procedure, status=Status.DRAFT, draft_token_hash=hash_token(token))
        db.session.add(dossier)
    dossier.procedure_snapshot = snapshot
    dossier.channel = channel
    dossier.expires_at = None
    for name, attr in DETAIL_ATTRS.items():
        setattr(dossier, attr, details[name].data or "")
    by_post = result.result_method.data == RESULT_BY_POST and procedure.postal_return_allowed
    dossier.result_method = RESULT_BY_POST if by_post else RESULT_AT_OFFICE
    for attr in DELIVERY_ATTRS:
        setattr(dossier, attr, (result[attr].data or "") if by_post else "")
    data = {spec["name"]: stored_value(spec, fields[spec["name"]]) for spec in usable_fields(
        snapshot.get("form_fields"))}
    data["paper_seen"] = sorted(paper_seen)
    dossier.form_data = data
    dossier.code = _unique_code()
    dossier.lookup_key = new_lookup_key()
    dossier.submitted_at = utcnow()
    dossier.receiving_unit = settings.get("receiving_unit") or ""
    dossier.competent_unit = dossier.receiving_unit
    dossier.fee_vnd = compute_fee(snapshot, dossier.form_data)
    dossier.search_text = search_text(dossier)
    db.session.flush()
    note = _("Tiếp nhận trực tiếp tại quầy.") if channel == CHANNEL_COUNTER else _(
        "Hồ sơ gửi đến qua bưu chính.")
    transition(dossier, Status.SUBMITTED, clerk, note=note)
    receive(dossier, clerk)
    return dossier
