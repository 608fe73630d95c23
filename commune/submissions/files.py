"""Serving a dossier's files, only to those who may see them, never from static/.

A villager needs full access (the receipt's key, the browser that submitted, or the draft token
while it is a draft); code + phone opens no file. Staff see files through their role and every
page or thumbnail they open is written to the dossier's record. Nothing is cached: an ID-card
photo must not stay in a shared computer's browser cache."""
from flask import Response, abort
from flask_login import current_user

from ..core.access import villager_may_view
from ..core.attachments import safe_name
from ..core.dossier import DossierFile
from ..core.photos import PDF
from ..core.storage import StorageError, get_storage
from ..core.workflow import record_event
from ..extensions import db
from . import bp


def _viewer_kind(row):
    """'villager', 'staff' or None (not allowed) for the current request."""
    dossier = row.dossier
    if villager_may_view(dossier):
        return "villager"
    if current_user.is_authenticated:
        from ..accounts.models import POSTAL

        if current_user.role == POSTAL:
            # Postal staff deliver; they never see documents, only the delivery proof they record.
            return "staff" if row.purpose == "proof" else None
        if dossier.can_view_documents(current_user):
            return "staff"
    return None


def _send(row, data, mime, download_name=None):
    response = Response(data, mimetype=mime)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response.headers["Vary"] = "Cookie"
    response.set_etag(row.sha256)
    if download_name:
        response.headers.set("Content-Disposition", "attachment", filename=download_name)
    return response


def _load(file_id):
    row = db.session.get(DossierFile, file_id)
    if row is None:
        abort(404)
    kind = _viewer_kind(row)
    if kind is None:
        abort(404)  # others learn nothing, not even that the file exists
    return row, kind


def download_name(row):
    """A safe name like ho-so-K7QMX2PDAF-tep-12.pdf."""
    stem = f"ho-so-{row.dossier.code or row.dossier_id}-tep-{row.id}"
    return safe_name(stem + (".pdf" if row.mime == PDF else ".jpg"))


@bp.route("/tep/<int:file_id>")
def file(file_id):
    """One page at full size; each view by staff is written to the dossier's record."""
    row, kind = _load(file_id)
    try:
        data = get_storage().open(row.storage_key)
    except StorageError:
        abort(404)
    if kind == "staff":
        record_event(row.dossier, "document_view", actor=current_user, public=False, data={"file_id": row.id})
        db.session.commit()
    return _send(row, data, row.mime, download_name(row) if row.mime == PDF else None)


def _log_thumbnail(row):
    """A thumbnail shows the document too: log the staff member's view (once per visit, as the page does)."""
    from ..inbox.services import log_document_view

    if log_document_view(row.dossier, current_user) is not None:
        db.session.commit()


@bp.route("/tep/<int:file_id>/nho")
def thumb(file_id):
    """A page's thumbnail (JPEG); PDFs have none and get a small placeholder image."""
    row, kind = _load(file_id)
    if kind == "staff":
        _log_thumbnail(row)
    if not row.thumb_key:
        return _send(row, PDF_ICON, "image/svg+xml")
    try:
        data = get_storage().open(row.thumb_key)
    except StorageError:
        abort(404)
    return _send(row, data, "image/jpeg")


PDF_ICON = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 80 100" width="80" height="100">'
    b'<path d="M4 2h52l20 20v76H4z" fill="#fff" stroke="#5a6470" stroke-width="3"/>'
    b'<path d="M56 2v20h20" fill="none" stroke="#5a6470" stroke-width="3"/>'
    b'<text x="40" y="68" font-family="sans-serif" font-size="20" font-weight="700" '
    b'text-anchor="middle" fill="#b3261e">PDF</text></svg>'
)
