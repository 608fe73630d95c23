"""The counter's pages kept between tries: one batch per counter form, a draft the clerk owns.

A counter form carries a batch token (a hidden field made when the form opens). The first page
the clerk sends (the upload script's one-shot or resumable upload, or the plain form posted
with its files) creates a draft dossier of the chosen procedure on the counter channel, whose
draft token is "counter:<clerk id>:<batch>": only that clerk, holding that form, reaches it.
Its pages stay when the form comes back with a mistake to fix, and the accepted form turns the
same draft into the received dossier (a second press of the button finds it submitted and
goes to its receipt instead of entering it twice). An abandoned batch expires after
COUNTER_BATCH_HOURS and `flask drafts purge` deletes it with its pages.
"""
import re
import secrets
from datetime import timedelta

import sqlalchemy as sa

from ..core.timeutil import utcnow
from ..dossiers.access import hash_token
from ..dossiers.attachments import attach_file
from ..dossiers.models import CHANNEL_COUNTER, RESULT_AT_OFFICE, Dossier
from ..dossiers.rules import procedure_snapshot
from ..dossiers.states import Status
from ..extensions import db
from ..uploads import staged_page

COUNTER_BATCH_HOURS = 24
_BATCH_RE = re.compile(r"^[A-Za-z0-9_-]{16,40}$")


def new_batch():
    return secrets.token_urlsafe(16)


def valid_batch(value):
    """The batch token if it has the right shape, else None."""
    return value if isinstance(value, str) and _BATCH_RE.match(value) else None


def owner(clerk, batch):
    """The token (and tus owner) of one clerk's batch."""
    return f"counter:{clerk.id}:{batch}"


def find(clerk, batch):
    """The batch's dossier (a draft, or the dossier it became), or None."""
    if not valid_batch(batch):
        return None
    return db.session.scalar(sa.select(Dossier).where(Dossier.draft_token_hash == hash_token(owner(clerk, batch))))


def open_draft(procedure, clerk, batch):
    """The batch's draft, created for `procedure` on the first page; None once it was received
    (or when it belongs to another procedure: the clerk changed it, a new form has a new batch)."""
    dossier = find(clerk, batch)
    if dossier is None:
        dossier = Dossier(procedure=procedure, procedure_snapshot=procedure_snapshot(procedure),
                          status=Status.DRAFT, channel=CHANNEL_COUNTER,
                          draft_token_hash=hash_token(owner(clerk, batch)), result_method=RESULT_AT_OFFICE)
        db.session.add(dossier)
    elif dossier.status != Status.DRAFT or dossier.procedure_id != procedure.id:
        return None
    dossier.expires_at = utcnow() + timedelta(hours=COUNTER_BATCH_HOURS)
    db.session.flush()
    return dossier


def attach(dossier, data, filename, index):
    """Keep one page of document `index` in the batch (raises PhotoError)."""
    row = attach_file(dossier, data, filename, document_index=index)
    dossier.expires_at = utcnow() + timedelta(hours=COUNTER_BATCH_HOURS)
    return row


def page_of(dossier, file_id):
    """One page of the batch's draft, or None (another dossier's, or already received)."""
    if dossier is None or dossier.status != Status.DRAFT:
        return None
    return staged_page(dossier, file_id)
