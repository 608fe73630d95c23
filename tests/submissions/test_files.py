"""Photos are evidence: only the villager's browser and staff with a reason may see them."""
import sqlalchemy as sa

from commune.dossiers.attachments import attach_file
from commune.dossiers.models import DossierEvent, DossierFile
from commune.extensions import db
from tests.factories import make_dossier
from tests.journeys import DETAILS, upload
from tests.photos import images


def _draft_with_photo(client, procedure):
    client.post(f"/thu-tuc/{procedure.slug}/nop-ho-so", data=DETAILS)
    upload(client, 0, images.jpeg(1200, 900, gps=True))
    return db.session.scalars(sa.select(DossierFile)).one()


def test_the_villager_sees_their_photo_with_safe_headers(client, full_procedure):
    row = _draft_with_photo(client, full_procedure)
    page = client.get(f"/tep/{row.id}")
    assert page.status_code == 200 and page.mimetype == "image/jpeg"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Cache-Control"] == "no-store"  # an ID photo never stays in a shared browser's cache
    assert b"Exif" not in page.data
    thumb = client.get(f"/tep/{row.id}/nho")
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg" and len(thumb.data) < len(page.data)
    assert thumb.headers["Cache-Control"] == "no-store"


def test_another_browser_gets_a_404_as_if_the_file_did_not_exist(client, app, full_procedure):
    row = _draft_with_photo(client, full_procedure)
    stranger = app.test_client()
    assert stranger.get(f"/tep/{row.id}").status_code == 404
    assert stranger.get(f"/tep/{row.id}/nho").status_code == 404
    assert stranger.get("/tep/999999").status_code == 404


def test_a_clerk_sees_the_photo_and_the_view_is_written_to_the_record(app, login_as):
    dossier = make_dossier()
    row = attach_file(dossier, images.jpeg(), "a.jpg", document_index=0)
    db.session.commit()
    clerk = app.test_client()
    user = login_as("clerk", client_=clerk)
    assert clerk.get(f"/hop-thu/ho-so/{dossier.id}/tep/{row.id}").status_code == 200
    assert clerk.get(f"/tep/{row.id}").status_code == 404  # staff never read through the villager's door
    assert clerk.get(f"/hop-thu/ho-so/{dossier.id + 1}/tep/{row.id}").status_code == 404  # its own dossier only
    event = db.session.scalars(sa.select(DossierEvent).where(DossierEvent.kind == "document_view")).one()
    assert event.actor_id == user.id and event.public is False and event.data == {"file_id": row.id}


def test_postal_staff_never_see_documents_only_their_delivery_proof(app, login_as):
    dossier = make_dossier(status="ready")
    document = attach_file(dossier, images.jpeg(), "a.jpg", document_index=0)
    proof = attach_file(dossier, images.jpeg(color=(0, 90, 0)), "proof.jpg", round=-1, purpose="proof")
    db.session.commit()
    postman = app.test_client()
    login_as("postal", client_=postman)
    for url in (f"/tep/{document.id}", f"/tep/{document.id}/nho", f"/tep/{proof.id}"):
        assert postman.get(url).status_code == 404, url
    for url in (f"/hop-thu/ho-so/{dossier.id}/tep/{document.id}", f"/hop-thu/ho-so/{dossier.id}/tep/{proof.id}"):
        assert postman.get(url).status_code == 403, url


def test_pdfs_download_as_attachments_with_a_safe_name(client, full_procedure):
    client.post(f"/thu-tuc/{full_procedure.slug}/nop-ho-so", data=DETAILS)
    upload(client, 1, images.pdf(1), "giấy <b>khai sinh</b>.pdf")
    row = db.session.scalars(sa.select(DossierFile)).one()
    response = client.get(f"/tep/{row.id}")
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and f"tep-{row.id}.pdf" in disposition
    assert "<" not in disposition
    assert client.get(f"/tep/{row.id}/nho").mimetype == "image/svg+xml"
