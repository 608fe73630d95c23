"""The disk and the decoding slots: a floor of free space, a daily budget per address, a busy answer."""
import io

import sqlalchemy as sa

from commune.dossiers.models import DossierFile
from commune.extensions import db
from commune.files import decode_slots
from commune.files.upload_guard import UploadUsage, free_bytes
from tests.factories import make_procedure
from tests.journeys import DETAILS
from tests.photos import images


def _start_draft(client):
    procedure = make_procedure(documents=("Giấy tờ",))
    db.session.commit()
    client.post(f"/thu-tuc/{procedure.slug}/nop-ho-so", data=DETAILS)


def _send(client, data, script=True, addr="203.0.113.7"):
    headers = {"X-Requested-With": "XMLHttpRequest"} if script else {}
    return client.post("/nop-ho-so/anh-giay-to/0/tai-len", data={"file": (io.BytesIO(data), "anh.jpg")},
                       content_type="multipart/form-data", headers=headers,
                       environ_base={"REMOTE_ADDR": addr})


def _stored_files(app):
    from pathlib import Path

    root = Path(app.config["COMMUNE_DATA_DIR"]) / "files"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_nearly_full_disk_refuses_uploads_before_storing_a_byte(app, client):
    _start_draft(client)
    app.config["COMMUNE_MIN_FREE_MB"] = free_bytes() // (1024 * 1024) + 10  # the disk is "nearly full"
    response = _send(client, images.jpeg())
    assert response.status_code == 422
    assert "Máy chủ sắp hết chỗ lưu trữ" in response.get_data(as_text=True)
    assert db.session.scalars(sa.select(DossierFile)).all() == [] and _stored_files(app) == []
    app.config["COMMUNE_MIN_FREE_MB"] = 1
    assert _send(client, images.jpeg()).status_code == 201


def test_one_address_has_a_daily_budget_and_its_neighbour_does_not_pay_for_it(app, client):
    _start_draft(client)
    first = _send(client, images.jpeg(color=(200, 0, 0)))
    assert first.status_code == 201
    used = db.session.scalar(sa.select(UploadUsage.bytes_stored).filter_by(client="203.0.113.7"))
    row = db.session.scalars(sa.select(DossierFile)).one()
    assert used == row.size_bytes + len(open(_thumb_path(app, row), "rb").read())
    app.config["COMMUNE_UPLOAD_DAILY_MB"] = 1
    db.session.execute(sa.update(UploadUsage).values(bytes_stored=1024 * 1024))  # the day's budget spent
    db.session.commit()
    refused = _send(client, images.jpeg(color=(0, 200, 0)))
    assert refused.status_code == 422 and "tối đa 1 MB mỗi ngày" in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DossierFile)) == 1
    neighbour = app.test_client()
    _start_draft(neighbour)
    assert _send(neighbour, images.jpeg(color=(0, 0, 200)), addr="203.0.113.8").status_code == 201


def _thumb_path(app, row):
    from commune.files.storage import get_storage

    return get_storage().path(row.thumb_key)


def test_logged_in_staff_are_not_counted_against_the_counter_address(app, client, login_as):
    from commune.dossiers.attachments import attach_file
    from tests.factories import make_dossier

    login_as("clerk")
    with app.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.9"}):
        from flask_login import login_user

        from commune.accounts.models import User

        login_user(db.session.scalars(sa.select(User)).first())
        attach_file(make_dossier(), images.jpeg(), "a.jpg", document_index=0)
        db.session.commit()
    assert db.session.scalars(sa.select(UploadUsage)).all() == []


def _hold_every_slot(app):
    with app.app_context():
        slots, _wait = decode_slots.slot_settings()
    semaphore = decode_slots._semaphore(slots)
    for _ in range(slots):
        assert semaphore.acquire(timeout=5)
    return semaphore, slots


def test_when_every_decoding_slot_is_taken_the_script_is_told_to_retry(app, client):
    _start_draft(client)
    app.config["COMMUNE_DECODE_WAIT"] = 0.2
    semaphore, slots = _hold_every_slot(app)
    try:
        response = _send(client, images.jpeg())
    finally:
        for _ in range(slots):
            semaphore.release()
    assert response.status_code == 503 and response.headers["Retry-After"].isdigit()
    assert response.get_data(as_text=True) == "Máy chủ đang bận, đang thử lại…"
    assert db.session.scalars(sa.select(DossierFile)).all() == []
    assert _send(client, images.jpeg()).status_code == 201  # the retry goes through


def test_the_plain_form_says_busy_and_keeps_the_pages_already_sent(app, client):
    _start_draft(client)
    assert _send(client, images.jpeg(color=(9, 9, 9)), script=False).status_code == 302
    app.config["COMMUNE_DECODE_WAIT"] = 0.2
    semaphore, slots = _hold_every_slot(app)
    try:
        response = _send(client, images.jpeg(), script=False)
    finally:
        for _ in range(slots):
            semaphore.release()
    html = response.get_data(as_text=True)
    assert response.status_code == 503 and "Retry-After" in response.headers
    assert "Máy chủ đang bận, ảnh chưa được lưu" in html
    row = db.session.scalars(sa.select(DossierFile)).one()  # the page sent before is kept and shown
    assert f"/tep/{row.id}" in html
