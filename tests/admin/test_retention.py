"""The retention times on the settings page do what they say: drafts expire after the days set,
finished dossiers lose their photos and personal data after the years set, and nothing else."""
from datetime import timedelta

import sqlalchemy as sa

from commune.core.timeutil import utcnow
from commune.dossiers.attachments import attach_file
from commune.dossiers.models import Dossier, DossierEvent, DossierFile
from commune.extensions import db
from commune.files.storage import get_storage
from commune.notices.outbox import Notice
from commune.postal.models import Manifest, ManifestItem
from commune.tracking.models import Rating
from tests.factories import make_dossier, make_procedure
from tests.journeys import DETAILS, SETTINGS, qr_link
from tests.photos import images


def save_retention(client, **values):
    response = client.post("/quan-tri/cai-dat", data={**SETTINGS, **values})
    assert response.status_code == 302, response.get_data(as_text=True)


def finished(years_ago, status="returned", photo=None, **values):
    """A dossier that ended `years_ago` years ago, with a photo, a notice, a rating and a postal item."""
    procedure = values.pop("procedure", None) or make_procedure()
    at = utcnow() - timedelta(days=round(365.25 * years_ago))
    dossier = make_dossier(procedure, status=status, received_at=at - timedelta(days=5), submitted_at=at,
                           finished_at=at, result_method="post", delivery_name="Lò Thị Mai",
                           delivery_phone="0987654321", delivery_address="Nhà số 12",
                           form_data={"ho_ten_cha": "Lò Văn Pằng"}, **values)
    photo = attach_file(dossier, photo or images.jpeg(color=(10, 10, 10 + years_ago)), "cccd.jpg",
                        document_index=0)
    db.session.add(Notice(dossier=dossier, channel="sms", to="0912345678", body="HS: Da co ket qua"))
    db.session.add(Rating(dossier_id=dossier.id, score="satisfied", comment="Chị Mai ở thôn Đông rất nhiệt tình"))
    manifest = Manifest(number=f"BK-{dossier.id}", year=2000, seq=dossier.id)
    manifest.items = [ManifestItem(dossier_id=dossier.id, recipient_name="Lò Thị Mai", recipient_phone="0987654321",
                                   address="Nhà số 12", village="Bản Nà Cang", received_by="Lò Văn Pằng",
                                   proof_file_id=photo.id)]
    db.session.add(manifest)
    db.session.commit()
    return dossier, photo


def test_a_dossier_past_its_retention_keeps_its_record_but_not_the_villagers_data(app, runner):
    old, old_photo = finished(21)
    kept, kept_photo = finished(19)
    storage = get_storage()
    result = runner.invoke(args=["retention", "apply"])
    assert result.exit_code == 0, result.output
    assert "erased 1 dossier(s)" in result.output and "kept 20 years" in result.output
    old = db.session.get(Dossier, old.id)
    assert (old.applicant_name, old.applicant_phone, old.applicant_id_number, old.applicant_address) == ("",) * 4
    assert (old.delivery_name, old.delivery_phone, old.form_data, old.lookup_key_hash) == ("", "", {}, None)
    assert old.code and old.status == "returned" and old.finished_at and old.erased_at
    assert db.session.scalar(sa.select(sa.func.count(DossierFile.id)).where(DossierFile.dossier_id == old.id)) == 0
    assert not storage.exists(old_photo.storage_key) and not storage.exists(old_photo.thumb_key)
    item = db.session.scalar(sa.select(ManifestItem).where(ManifestItem.dossier_id == old.id))
    assert (item.recipient_name, item.address, item.received_by, item.proof_file_id) == ("", "", "", None)
    assert db.session.scalar(sa.select(Notice.to).where(Notice.dossier_id == old.id)) == ""
    assert db.session.scalar(sa.select(Rating.comment).where(Rating.dossier_id == old.id)) == ""
    assert db.session.scalar(sa.select(Rating.score).where(Rating.dossier_id == old.id)) == "satisfied"
    event = db.session.scalar(sa.select(DossierEvent).where(DossierEvent.dossier_id == old.id,
                                                            DossierEvent.kind == "erased"))
    assert event is not None and not event.public and "20 năm" in event.note
    # The younger dossier is untouched, photo and all.
    kept = db.session.get(Dossier, kept.id)
    assert kept.applicant_name == "Nguyễn Văn An" and kept.erased_at is None
    assert storage.exists(kept_photo.storage_key)
    # A second run finds nothing more to do.
    assert "erased 0 dossier(s)" in runner.invoke(args=["retention", "apply"]).output


def test_open_dossiers_are_never_erased_however_old(app, runner):
    procedure = make_procedure()
    ancient = utcnow() - timedelta(days=365 * 30)
    make_dossier(procedure, status="processing", submitted_at=ancient, received_at=ancient)
    db.session.commit()
    assert "erased 0 dossier(s)" in runner.invoke(args=["retention", "apply"]).output
    assert db.session.scalar(sa.select(sa.func.count(Dossier.id)).where(Dossier.erased_at.is_not(None))) == 0


def test_a_photo_another_dossier_still_uses_stays_on_disk(app, runner):
    same = images.jpeg(color=(1, 2, 3))
    procedure = make_procedure()
    _old, old_photo = finished(25, procedure=procedure, photo=same)
    _young, young_photo = finished(2, procedure=procedure, photo=same)
    assert old_photo.storage_key == young_photo.storage_key  # content-addressed: one file on disk
    runner.invoke(args=["retention", "apply"])
    assert get_storage().exists(young_photo.storage_key)


def test_the_years_the_admin_sets_are_the_ones_applied_and_a_dry_run_changes_nothing(client, login_as, runner):
    login_as("admin")
    save_retention(client, dossier_retention_years="5")
    refused, _ = finished(6, status="refused")
    dry = runner.invoke(args=["retention", "apply", "--dry-run"])
    assert "would erase 1 dossier(s)" in dry.output and "kept 5 years" in dry.output
    assert db.session.get(Dossier, refused.id).applicant_name == "Nguyễn Văn An"
    assert "erased 1 dossier(s)" in runner.invoke(args=["retention", "apply"]).output
    assert db.session.get(Dossier, refused.id).applicant_name == ""
    log = client.get("/quan-tri/nhat-ky").get_data(as_text=True)
    assert "retention.apply" in log


def test_the_clerk_sees_that_an_erased_dossier_was_erased(client, login_as, runner):
    dossier, _ = finished(21)
    runner.invoke(args=["retention", "apply"])
    login_as("clerk")
    html = client.get(f"/hop-thu/ho-so/{dossier.id}").get_data(as_text=True)
    assert "đã hết thời hạn lưu trữ" in html and "Nguyễn Văn An" not in html and "Lò Thị Mai" not in html
    found = client.get("/hop-thu", query_string={"tab": "all", "q": "nguyen van an"}).get_data(as_text=True)
    assert dossier.display_code not in found
    found = client.get("/hop-thu", query_string={"tab": "all", "q": dossier.code}).get_data(as_text=True)
    assert dossier.display_code in found  # the code still finds the record


def test_neither_the_old_phone_nor_the_receipts_key_opens_an_erased_dossier(client, runner, app):
    dossier, _ = finished(21)
    code, key, link = dossier.code, dossier.lookup_key, qr_link(dossier)  # the factory's object: its clear key
    assert key
    assert client.post("/tra-cuu", data={"code": code, "secret": "0912345678"}).status_code == 302
    assert app.test_client().get(link).status_code == 302
    runner.invoke(args=["retention", "apply"])
    assert client.post("/tra-cuu", data={"code": code, "secret": "0912345678"}).status_code == 404
    assert client.post("/tra-cuu", data={"code": code, "secret": key}).status_code == 404
    assert app.test_client().get(link).status_code == 404  # nor the receipt's QR link


def test_drafts_live_as_many_days_as_the_admin_sets(client, login_as, app):
    admin_client = app.test_client()
    login_as("admin", client_=admin_client)
    save_retention(admin_client, draft_retention_days="7")
    procedure = make_procedure(documents=("Tờ khai",))
    db.session.commit()
    assert client.post(f"/thu-tuc/{procedure.slug}/nop-ho-so", data=DETAILS).status_code == 302
    draft = db.session.scalar(sa.select(Dossier).where(Dossier.status == "draft"))
    left = draft.expires_at - utcnow()
    assert timedelta(days=6, hours=23) < left <= timedelta(days=7)


def test_the_settings_page_shows_the_environments_retention_when_none_is_saved(client, login_as, app):
    app.config["COMMUNE_DRAFT_DAYS"] = 45
    login_as("admin")
    html = client.get("/quan-tri/cai-dat").get_data(as_text=True)
    assert 'name="draft_retention_days"' in html and 'value="45"' in html


def test_the_settings_page_says_how_many_dossiers_the_next_run_would_erase(client, login_as):
    login_as("admin")
    assert "Chưa có hồ sơ nào quá thời hạn lưu trữ" in client.get("/quan-tri/cai-dat").get_data(as_text=True)
    finished(21)
    finished(22)
    finished(3)
    html = client.get("/quan-tri/cai-dat").get_data(as_text=True)
    assert "thông tin cá nhân của 2 hồ sơ" in html
    save_retention(client, dossier_retention_years="2")
    assert "thông tin cá nhân của 3 hồ sơ" in client.get("/quan-tri/cai-dat").get_data(as_text=True)
