"""The electronic result: the copy the clerk attached when marking the result ready (a PDF, or photos
of the signed paper), downloaded by the villager from the tracking page with the receipt's key.

Only full access opens it (the key, or the browser that submitted): code + phone shows that a copy
exists, never the copy. Every download is written to the dossier's record (staff see it). What the
copy is worth is the procedure's choice (catalog `Procedure.result_copy`) as it stood when the
result was issued; the paper original follows at the desk or by post either way.
"""
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import abort

from ..catalog.models import RESULT_OFFICIAL, RESULT_REFERENCE
from ..core.timeutil import utcnow
from ..dossiers.access import villager_may_view
from ..dossiers.attachments import safe_name
from ..dossiers.events import EventKind
from ..dossiers.models import DossierEvent, DossierFile, ResultMethod
from ..dossiers.states import Status
from ..dossiers.workflow import record_event
from ..extensions import db, limiter
from ..files.photos import PDF
from ..files.storage import StorageError, get_storage
from ..web.private_files import private_file
from . import bp
from .services import VILLAGER, find_by_code

RESULT = "result"  # DossierFile.purpose of the electronic result's pages
# Downloads written to a dossier's record in an hour at most: the key holder is never refused a download,
# and beyond this many the record already says what staff need (the row is not written).
RECORDED_PER_HOUR = 60


@dataclass
class ElectronicResult:
    files: list          # the pages, in the order the clerk attached them
    copy: str            # RESULT_OFFICIAL or RESULT_REFERENCE
    paper_by_post: bool  # the paper original goes by post (else: at the desk)
    paper_returned: bool  # the villager already has the paper original

    @property
    def official(self):
        return self.copy == RESULT_OFFICIAL


def result_files(dossier):
    """The electronic result's pages, oldest first."""
    return [f for f in dossier.files if f.purpose == RESULT]


def electronic_result(dossier):
    """What the tracking page says of the electronic result, or None when the clerk attached none."""
    files = result_files(dossier)
    if not files:
        return None
    return ElectronicResult(files=files, copy=_copy_worth(dossier),
                            paper_by_post=dossier.result_method == ResultMethod.POST,
                            paper_returned=dossier.status == Status.RETURNED)


def _copy_worth(dossier):
    """The worth written on the 'ready' event (inbox.services.mark_ready), else the procedure's now."""
    data = db.session.scalar(sa.select(DossierEvent.data).where(
        DossierEvent.dossier_id == dossier.id, DossierEvent.to_status == Status.READY)
        .order_by(DossierEvent.id.desc()).limit(1)) or {}
    copy = data.get("result_copy") if isinstance(data, dict) else None
    if copy not in (RESULT_OFFICIAL, RESULT_REFERENCE):
        copy = getattr(dossier.procedure, "result_copy", None) or RESULT_REFERENCE
    return copy if copy in (RESULT_OFFICIAL, RESULT_REFERENCE) else RESULT_REFERENCE


def download_name(row, number):
    """'ket-qua-K7QMX2PDAF-1.pdf': the n-th page of the result, named for the villager's phone."""
    stem = f"ket-qua-{row.dossier.code or row.dossier_id}-{number}"
    return safe_name(stem + (".pdf" if row.mime == PDF else ".jpg"))


def log_result_download(row):
    """Write the download to the dossier's record (each time, naming the page), up to RECORDED_PER_HOUR an
    hour per dossier, so a key holder downloading without end cannot flood the record."""
    recent = db.session.scalar(sa.select(sa.func.count()).select_from(DossierEvent).where(
        DossierEvent.dossier_id == row.dossier_id, DossierEvent.kind == EventKind.RESULT_DOWNLOAD,
        DossierEvent.at > utcnow() - timedelta(hours=1)))
    if recent >= RECORDED_PER_HOUR:
        return None
    return record_event(row.dossier, EventKind.RESULT_DOWNLOAD, actor_label=VILLAGER, public=False,
                        data={"file_id": row.id})


def _refused(response):
    return response.status_code == 404


@bp.route("/ho-so/<code>/ket-qua/<int:file_id>")
# Only refusals count against the address: the right credential is not something a stranger can spend,
# and a busy office's Wi-Fi downloads as often as its villagers need.
@limiter.limit("60 per hour", deduct_when=_refused)
def result_file(code, file_id):
    """One page of the electronic result, for the villager holding the dossier in full; else 404."""
    dossier = find_by_code(code)
    row = db.session.get(DossierFile, file_id)
    if (dossier is None or row is None or row.dossier_id != dossier.id or row.purpose != RESULT
            or not villager_may_view(dossier)):
        abort(404)
    try:
        data = get_storage().open(row.storage_key)
    except StorageError:
        abort(404)
    log_result_download(row)
    number = [f.id for f in result_files(dossier)].index(row.id) + 1
    return private_file(data, row.mime, row.sha256, download_name(row, number))
