"""Staff access to personal data is written down wherever it happens, not only on the dossier page."""
import sqlalchemy as sa

from commune.core.audit import AuditEntry
from commune.dossiers.attachments import attach_file
from commune.dossiers.models import DossierEvent
from commune.extensions import db
from tests.factories import make_dossier
from tests.photos import images


def _views(dossier):
    return db.session.scalars(sa.select(DossierEvent).where(
        DossierEvent.dossier_id == dossier.id, DossierEvent.kind == "document_view")).all()


def test_a_thumbnail_seen_by_staff_is_a_logged_view(client, login_as):
    dossier = make_dossier()
    page = attach_file(dossier, images.jpeg(), "cccd.jpg", document_index=0)
    db.session.commit()
    officer = login_as("officer")
    assert client.get(f"/hop-thu/ho-so/{dossier.id}/tep/{page.id}/nho").status_code == 200
    views = _views(dossier)
    assert [v.actor_id for v in views] == [officer.id]
    client.get(f"/hop-thu/ho-so/{dossier.id}/tep/{page.id}/nho")  # the same visit is written once
    assert len(_views(dossier)) == 1


def test_a_register_export_is_written_to_the_admins_record(client, login_as):
    make_dossier(applicant_name="Lò Thị Mai")
    db.session.commit()
    leader = login_as("leader")
    response = client.get("/so-lieu/xuat/so-theo-doi.csv")
    assert response.status_code == 200
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "personal_data.export"))
    assert entry is not None and entry.actor_id == leader.id and entry.changes["format"] == "csv"
    assert client.get("/so-lieu/xuat/so-lieu.csv").status_code == 200  # figures: no personal data, no entry
    assert db.session.query(AuditEntry).filter_by(action="personal_data.export").count() == 1


def test_a_search_by_phone_or_id_number_is_logged_once_per_search(client, login_as):
    dossier = make_dossier(applicant_phone="0912345678", applicant_id_number="001203004567")
    db.session.commit()
    clerk = login_as("clerk")
    for typed in ("0912", "09123", "091234", "0912345", "09123456", "091234567", "0912345678"):
        assert client.get("/hop-thu", query_string={"q": typed, "tab": "all"}).status_code == 200
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "personal_data.search")).all()
    assert len(entries) == 1  # the live search fires per key: one entry for the whole search
    assert entries[0].actor_id == clerk.id and entries[0].target == "******5678"
    assert dossier.id in entries[0].changes["dossiers"]
    assert "0912345678" not in str(entries[0].changes)  # the record itself does not keep the number

    client.get("/hop-thu", query_string={"q": "001203004567"})
    client.get("/hop-thu", query_string={"q": "Nguyễn"})  # a name search is not a number search
    targets = [e.target for e in db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == "personal_data.search").order_by(AuditEntry.id))]
    assert targets == ["******5678", "********4567"]
