"""A dossier's pages as staff and villagers read them: who opened them, and the bytes to send.

Every staff view of a villager's documents is personal-data access and is written to the
dossier's record (never shown to the villager). Serving stays in the features that own the
screens (submissions for the villager, the inbox for staff, the post for its proof photo);
what they share is here.
"""
from datetime import timedelta

import sqlalchemy as sa
from flask import abort

from ..core.timeutil import utcnow
from ..extensions import db
from ..files.photos import PDF
from ..files.storage import StorageError, get_storage
from ..web.private_files import private_file
from .attachments import safe_name
from .events import EventKind
from .models import DossierEvent
from .workflow import record_event

DOCUMENT_VIEW_WINDOW_SECONDS = 600


def log_document_view(dossier, actor):
    """Record that a staff member opened the dossier's documents, once per visit (10 minutes)."""
    since = utcnow() - timedelta(seconds=DOCUMENT_VIEW_WINDOW_SECONDS)
    recent = db.session.scalar(sa.select(DossierEvent.id).where(
        DossierEvent.dossier_id == dossier.id, DossierEvent.kind == EventKind.DOCUMENT_VIEW,
        DossierEvent.actor_id == actor.id, DossierEvent.at >= since).limit(1))
    if recent:
        return None
    return record_event(dossier, EventKind.DOCUMENT_VIEW, actor, public=False)


def log_page_view(row, actor):
    """Record that a staff member opened one page at full size (every time: it names the page)."""
    return record_event(row.dossier, EventKind.DOCUMENT_VIEW, actor=actor, public=False, data={"file_id": row.id})


def download_name(row):
    """A safe name like ho-so-K7QMX2PDAF-tep-12.pdf."""
    stem = f"ho-so-{row.dossier.code or row.dossier_id}-tep-{row.id}"
    return safe_name(stem + (".pdf" if row.mime == PDF else ".jpg"))


def page_bytes(row):
    """(data, mime, download name or None) of a page at full size; raises StorageError."""
    return get_storage().open(row.storage_key), row.mime, download_name(row) if row.mime == PDF else None


def thumb_bytes(row):
    """(data, mime) of a page's thumbnail: JPEG, or a small placeholder for a PDF."""
    if not row.thumb_key:
        return PDF_ICON, "image/svg+xml"
    return get_storage().open(row.thumb_key), "image/jpeg"


def page_response(row, thumb=False):
    """The private answer with a page at full size (or its thumbnail); 404 if its bytes are gone.
    The caller has checked who asks."""
    try:
        if thumb:
            data, mime = thumb_bytes(row)
            name = None
        else:
            data, mime, name = page_bytes(row)
    except StorageError:
        abort(404)
    return private_file(data, mime, row.sha256, name)


PDF_ICON = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 80 100" width="80" height="100">'
    b'<path d="M4 2h52l20 20v76H4z" fill="#fff" stroke="#5a6470" stroke-width="3"/>'
    b'<path d="M56 2v20h20" fill="none" stroke="#5a6470" stroke-width="3"/>'
    b'<text x="40" y="68" font-family="sans-serif" font-size="20" font-weight="700" '
    b'text-anchor="middle" fill="#b3261e">PDF</text></svg>'
)
