"""Serving a dossier's pages to its villager, never from static/.

A villager needs full access (the receipt's key, the browser that submitted, or the draft token
while it is a draft); code + phone opens no file. Staff read pages from the inbox's dossier
page (inbox/files.py), the post its delivery proof from the item (postal/carrier_views.py).
Anyone else gets 404: not even that the file exists.
"""
from flask import abort

from ..dossiers.access import villager_may_view
from ..dossiers.documents import page_response
from ..dossiers.models import DossierFile
from ..extensions import db
from . import bp


def _load(file_id):
    row = db.session.get(DossierFile, file_id)
    if row is None or not villager_may_view(row.dossier):
        abort(404)
    return row


@bp.route("/tep/<int:file_id>")
def file(file_id):
    """One page at full size, for the villager whose dossier it is."""
    return page_response(_load(file_id))


@bp.route("/tep/<int:file_id>/nho")
def thumb(file_id):
    """A page's thumbnail (JPEG); PDFs have none and get a small placeholder image."""
    return page_response(_load(file_id), thumb=True)
