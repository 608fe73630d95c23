"""Pages staged in a draft before its form is sent: the villager's draft and the clerk's counter batch
keep round 0; a supplement answer keeps the open request's round until it is sent.

A page is reached only through its own draft or dossier, in the round still open: a page of
another dossier, or of a round already sent, is None (the views answer 404).
"""
import sqlalchemy as sa

from ..dossiers.models import DossierFile
from ..extensions import db


def staged_page(dossier, file_id, round=0):
    """The page `file_id` if `dossier` holds it in `round`, else None."""
    if dossier is None:
        return None
    row = db.session.get(DossierFile, file_id)
    return row if row is not None and row.dossier_id == dossier.id and row.round == round else None


def pages_by_document(dossier, round=0):
    """{document index: [DossierFile]} of the pages staged in `round`, in the order they came."""
    pages = {}
    if dossier is None:
        return pages
    rows = db.session.scalars(sa.select(DossierFile).where(
        DossierFile.dossier_id == dossier.id, DossierFile.round == round).order_by(DossierFile.id))
    for row in rows:
        pages.setdefault(row.document_index, []).append(row)
    return pages
