"""Nothing the villager did is lost: drafts survive, submits are idempotent, expired drafts are purged."""
from datetime import timedelta

import sqlalchemy as sa

from commune.core.timeutil import utcnow
from commune.dossiers.models import Dossier, DossierEvent, DossierFile
from commune.extensions import db
from commune.files.storage import get_storage
from tests.journeys import DETAILS, fill_draft, submit_key, upload
from tests.photos import images


def count(model):
    return db.session.scalar(sa.select(sa.func.count(model.id)))


def test_a_double_tap_on_submit_makes_one_dossier_and_the_same_receipt(client, full_procedure):
    fill_draft(client, full_procedure)
    key = submit_key(client)
    first = client.post("/nop-ho-so/nop", data={"submit_key": key, "declaration": "y"})
    second = client.post("/nop-ho-so/nop", data={"submit_key": key, "declaration": "y"})
    assert first.status_code == second.status_code == 302
    assert first.location == second.location
    assert count(Dossier) == 1 and count(DossierEvent) == 1
    code = db.session.scalar(sa.select(Dossier.code))
    # A retry after a timeout from a browser that lost its cookie still lands on the receipt.
    other = client.application.test_client()
    assert other.post("/nop-ho-so/nop", data={"submit_key": key, "declaration": "y"}).location == first.location
    assert code in first.location and count(Dossier) == 1


def test_the_submit_key_is_stable_while_the_check_page_is_reloaded(client, full_procedure):
    fill_draft(client, full_procedure)
    assert submit_key(client) == submit_key(client)


def test_the_continue_link_brings_the_draft_to_another_phone(client, app, full_procedure):
    fill_draft(client, full_procedure, questions=False, postal=False)
    page = client.get("/nop-ho-so/cau-hoi").get_data(as_text=True)
    token = client.get_cookie("draft").value
    link = f"/tiep-tuc/{token}"
    assert f"http://localhost{link}" in page

    other = app.test_client()
    assert other.get("/nop-ho-so/anh-giay-to").location == "/nop-ho-so/khong-tim-thay"
    response = other.get(link)
    assert response.status_code == 302
    assert response.location == "/nop-ho-so/cau-hoi"  # the first unfinished step
    assert other.get_cookie("draft").value == token
    photos = other.get("/nop-ho-so/anh-giay-to").get_data(as_text=True)
    assert photos.count('class="photo"') == 2  # both pages sent from the first phone
    assert 'value="Lò Thị Hoa"' in other.get(f"/thu-tuc/{full_procedure.slug}/nop-ho-so").get_data(as_text=True)


def test_a_wrong_or_expired_continue_link_says_so(client, full_procedure):
    assert client.get("/tiep-tuc/khong-dung").status_code == 404
    fill_draft(client, full_procedure)
    token = client.get_cookie("draft").value
    dossier = db.session.scalars(sa.select(Dossier)).one()
    dossier.expires_at = utcnow() - timedelta(days=1)
    db.session.commit()
    assert client.get("/nop-ho-so/kiem-tra").location == "/nop-ho-so/khong-tim-thay"
    assert client.get(f"/tiep-tuc/{token}").status_code == 302  # not yet purged: the link revives it


def test_a_refused_photo_keeps_the_other_photos_and_the_typed_fields(client, full_procedure):
    client.post(f"/thu-tuc/{full_procedure.slug}/nop-ho-so", data=DETAILS)
    assert upload(client, 0, images.jpeg(), script=False).status_code == 302
    refused = upload(client, 0, b"day khong phai anh", "anh.jpg", script=False)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "không phải là ảnh hay PDF" in html and html.count('class="photo"') == 1
    missing = client.post("/nop-ho-so/anh-giay-to")
    assert missing.status_code == 422 and "ít nhất một ảnh" in missing.get_data(as_text=True)
    assert missing.get_data(as_text=True).count('class="photo"') == 1
    details = client.get(f"/thu-tuc/{full_procedure.slug}/nop-ho-so").get_data(as_text=True)
    assert 'value="Lò Thị Hoa"' in details and 'value="Bản Nà Cang"' in details


def test_the_upload_script_gets_a_short_message_for_a_refused_file(client, full_procedure):
    client.post(f"/thu-tuc/{full_procedure.slug}/nop-ho-so", data=DETAILS)
    response = upload(client, 1, images.png_bomb(), "anh.png")
    assert response.status_code == 422 and response.mimetype == "text/plain"
    assert "30000×30000" in response.get_data(as_text=True)
    assert upload(client, 9, images.jpeg()).status_code == 404  # no such document


def test_a_40_mb_upload_gets_a_friendly_answer_not_a_bare_413(client, app, full_procedure):
    client.post(f"/thu-tuc/{full_procedure.slug}/nop-ho-so", data=DETAILS)
    upload(client, 0, images.jpeg(), script=False)
    big = b"\xff\xd8" + b"\0" * (40 * 1024 * 1024)
    by_script = upload(client, 0, big)
    assert by_script.status_code == 413 and by_script.mimetype == "text/plain"
    assert "Ảnh quá lớn để gửi" in by_script.get_data(as_text=True)
    by_form = upload(client, 0, big, script=False)
    html = by_form.get_data(as_text=True)
    assert by_form.status_code == 413 and "Ảnh quá lớn để gửi" in html
    assert "Ảnh chụp giấy tờ" in html and html.count('class="photo"') == 1  # the photo step, photos kept


def test_a_photo_can_be_removed_and_retaken(client, full_procedure):
    client.post(f"/thu-tuc/{full_procedure.slug}/nop-ho-so", data=DETAILS)
    upload(client, 0, images.jpeg())
    row = db.session.scalars(sa.select(DossierFile)).one()
    key = row.storage_key
    response = client.post(f"/nop-ho-so/tep/{row.id}/xoa", headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.get_data() == b""
    assert count(DossierFile) == 0 and not get_storage().exists(key)
    assert upload(client, 0, images.jpeg(color=(9, 9, 9))).status_code == 201
    stranger = client.application.test_client()
    new_id = db.session.scalar(sa.select(DossierFile.id))
    assert stranger.post(f"/nop-ho-so/tep/{new_id}/xoa").location == "/nop-ho-so/khong-tim-thay"
    assert count(DossierFile) == 1


def test_the_purge_command_deletes_expired_drafts_and_their_photos(client, runner, full_procedure):
    fill_draft(client, full_procedure)
    dossier = db.session.scalars(sa.select(Dossier)).one()
    keys = [f.storage_key for f in dossier.files]
    fresh = client.application.test_client()
    fill_draft(fresh, full_procedure)  # a live draft that must stay
    dossier.expires_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    result = runner.invoke(args=["drafts", "purge"])
    assert result.exit_code == 0 and "Purged 1" in result.output
    assert count(Dossier) == 1
    # Both drafts used the same test photo, so its bytes stay for the live one; nothing is orphaned.
    assert all(get_storage().exists(k) for k in keys)
    assert count(DossierFile) == 2


def test_purged_photos_leave_the_disk(client, runner, plain_procedure):
    fill_draft(client, plain_procedure, questions=False, postal=False)
    dossier = db.session.scalars(sa.select(Dossier)).one()
    keys = [k for f in dossier.files for k in (f.storage_key, f.thumb_key)]
    dossier.expires_at = utcnow() - timedelta(days=1)
    db.session.commit()
    runner.invoke(args=["drafts", "purge"])
    assert count(Dossier) == 0 and not any(get_storage().exists(k) for k in keys)


def test_submitted_dossiers_are_never_purged(client, runner, plain_procedure):
    fill_draft(client, plain_procedure, questions=False, postal=False)
    client.post("/nop-ho-so/nop", data={"submit_key": submit_key(client), "declaration": "y"})
    runner.invoke(args=["drafts", "purge"])
    assert count(Dossier) == 1


def test_uploads_are_rate_limited_per_address(client, app, full_procedure):
    client.post(f"/thu-tuc/{full_procedure.slug}/nop-ho-so", data=DETAILS)
    app.config["COMMUNE_UPLOAD_LIMIT"] = "2 per minute"
    assert upload(client, 0, images.jpeg()).status_code == 201
    assert upload(client, 0, images.jpeg(color=(1, 1, 1))).status_code == 201
    assert upload(client, 0, images.jpeg(color=(2, 2, 2))).status_code == 429


def test_new_drafts_and_submits_are_rate_limited(client, app, plain_procedure):
    app.config["COMMUNE_DRAFT_LIMIT"] = "1 per minute"
    assert client.post(f"/thu-tuc/{plain_procedure.slug}/nop-ho-so", data=DETAILS).status_code == 302
    blocked = client.post(f"/thu-tuc/{plain_procedure.slug}/nop-ho-so", data=DETAILS)
    assert blocked.status_code == 429 and "Quá nhiều lần thử" in blocked.get_data(as_text=True)
    app.config["COMMUNE_SUBMIT_LIMIT"] = "1 per minute"
    client.post("/nop-ho-so/nop", data={})
    assert client.post("/nop-ho-so/nop", data={}).status_code == 429


def test_an_oversize_upload_is_answered_kindly_even_before_the_csrf_check(tmp_path, monkeypatch):
    """In production CSRF protection reads the body first; the friendly 413 must still win."""
    from commune.submissions.services import create_draft
    from tests.conftest import make_app
    from tests.factories import make_procedure

    monkeypatch.setenv("COMMUNE_INSTANCE_PATH", str(tmp_path / "instance"))
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True, MAX_CONTENT_LENGTH=1024 * 1024)
    with app.app_context():
        _draft, token = create_draft(make_procedure())
        db.session.commit()
        client = app.test_client()
        client.set_cookie("draft", token)
        response = upload(client, 0, b"\xff\xd8" + b"\0" * (2 * 1024 * 1024))
        assert response.status_code == 413 and "tối đa 1 MB" in response.get_data(as_text=True)
        page = upload(client, 0, b"\xff\xd8" + b"\0" * (2 * 1024 * 1024), script=False)
        assert page.status_code == 413 and "Ảnh chụp giấy tờ" in page.get_data(as_text=True)
        db.session.remove()
