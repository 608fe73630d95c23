"""Serving a dossier's pages to staff from its dossier page; every view is written to its record."""
from flask import abort
from flask_login import current_user

from ..accounts.permissions import roles_required
from ..core.roles import DOSSIER_READERS
from ..dossiers.documents import log_document_view, log_page_view, page_bytes, thumb_bytes
from ..dossiers.models import DossierFile
from ..extensions import db
from ..files.storage import StorageError
from ..web.private_files import private_file
from . import bp


def _load(dossier_id, file_id):
    row = db.session.get(DossierFile, file_id)
    if row is None or row.dossier_id != dossier_id or not row.dossier.can_view(current_user):
        abort(404)
    return row


@bp.route("/hop-thu/ho-so/<int:dossier_id>/tep/<int:file_id>")
@roles_required(*DOSSIER_READERS)
def file(dossier_id, file_id):
    """One page at full size; each view is written to the dossier's record."""
    row = _load(dossier_id, file_id)
    try:
        data, mime, name = page_bytes(row)
    except StorageError:
        abort(404)
    log_page_view(row, current_user)
    return private_file(data, mime, row.sha256, name)


@bp.route("/hop-thu/ho-so/<int:dossier_id>/tep/<int:file_id>/nho")
@roles_required(*DOSSIER_READERS)
def thumb(dossier_id, file_id):
    """A page's thumbnail: the document shows, so the visit is logged (once, as the page does)."""
    row = _load(dossier_id, file_id)
    try:
        data, mime = thumb_bytes(row)
    except StorageError:
        abort(404)
    log_document_view(row.dossier, current_user)
    return private_file(data, mime, row.sha256)
