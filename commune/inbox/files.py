"""Serving a dossier's pages to staff from its dossier page; every view is written to its record."""
from flask import abort
from flask_login import current_user

from ..accounts.permissions import roles_required
from ..core.roles import DOSSIER_READERS
from ..dossiers.documents import log_document_view, log_page_view, page_response
from ..dossiers.models import DossierFile
from ..extensions import db
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
    response = page_response(row)
    log_page_view(row, current_user)
    return response


@bp.route("/hop-thu/ho-so/<int:dossier_id>/tep/<int:file_id>/nho")
@roles_required(*DOSSIER_READERS)
def thumb(dossier_id, file_id):
    """A page's thumbnail: the document shows, so the visit is logged (once, as the page does)."""
    row = _load(dossier_id, file_id)
    response = page_response(row, thumb=True)
    log_document_view(row.dossier, current_user)
    return response
