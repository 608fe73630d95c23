"""Abandoned resumable uploads cannot fill the disk: budgets count them, they expire in hours, no backup holds them."""
from datetime import timedelta
from email.utils import parsedate_to_datetime

import sqlalchemy as sa

from commune.core.timeutil import utcnow
from commune.dossiers.models import DossierFile
from commune.extensions import db
from commune.files import partial_uploads
from commune.files.storage import get_storage
from commune.files.upload_guard import UploadUsage, free_bytes
from tests.photos import images
from tests.uploads.tus_client import (
    age,
    create,
    partial_dir,
    patch,
    procedure_with_one_document,
    send_all,
    villager_at,
)

KB = 1024


def _used(address):
    return db.session.scalar(sa.select(UploadUsage.bytes_stored).filter_by(client=address)) or 0


def test_half_sent_files_count_against_the_address_budget_until_it_is_refused(app):
    app.config["COMMUNE_UPLOAD_DAILY_MB"] = 1
    procedure = procedure_with_one_document()
    villager = villager_at(app, procedure, "203.0.113.7")
    parked = []
    for _ in range(3):  # 3 x 300 KB declared, half of each sent, then abandoned
        created = create(villager, 300 * KB)
        assert created.status_code == 201
        assert patch(villager, created.headers["Location"], b"x" * (150 * KB), 0).status_code == 204
        parked.append(created.headers["Location"])
    assert _used("203.0.113.7") == 900 * KB  # declared lengths are counted at creation
    before = set(partial_dir(app).iterdir())
    refused = create(villager, 300 * KB)
    assert refused.status_code == 413 and "Location" not in refused.headers
    assert "tối đa 1 MB mỗi ngày" in refused.get_data(as_text=True)
    assert set(partial_dir(app).iterdir()) == before  # nothing stored for the refused one
    for url in parked:  # abandoned: once they expire, the day's budget still holds them
        age(app, url, utcnow() - timedelta(days=1))
    assert create(villager, 300 * KB).status_code == 413
    neighbour = villager_at(app, procedure, "203.0.113.8")  # another address does not pay for it
    assert create(neighbour, 300 * KB).status_code == 201


def test_a_completed_upload_counts_its_stored_page_not_its_declared_length(app):
    villager = villager_at(app, procedure_with_one_document(), "203.0.113.9")
    url = send_all(villager, images.jpeg(1600, 1200, quality=95))
    assert villager.get(url, headers={"X-Requested-With": "XMLHttpRequest"}).status_code == 200
    row = db.session.scalars(sa.select(DossierFile)).one()
    thumb = get_storage().path(row.thumb_key).stat().st_size
    assert _used("203.0.113.9") == row.size_bytes + thumb


def test_termination_gives_back_only_the_bytes_never_sent(app):
    villager = villager_at(app, procedure_with_one_document(), "203.0.113.10")
    url = create(villager, 200 * KB).headers["Location"]
    assert patch(villager, url, b"y" * (50 * KB), 0).status_code == 204
    assert villager.delete(url, headers={"Tus-Resumable": "1.0.0"}).status_code == 204
    assert _used("203.0.113.10") == 50 * KB


def test_all_partial_uploads_together_have_a_site_wide_cap(app):
    app.config["COMMUNE_RESUMABLE_TOTAL_MB"] = 1
    procedure = procedure_with_one_document()
    first = villager_at(app, procedure, "198.51.100.1")
    second = villager_at(app, procedure, "198.51.100.2")
    third = villager_at(app, procedure, "198.51.100.3")
    held = create(first, 400 * KB)
    assert held.status_code == 201 and create(second, 400 * KB).status_code == 201
    refused = create(third, 400 * KB)  # each address is within its own budget; the site is not
    assert refused.status_code == 507 and refused.headers["Retry-After"].isdigit()
    assert "quá nhiều tệp cùng lúc" in refused.get_data(as_text=True)
    assert first.delete(held.headers["Location"], headers={"Tus-Resumable": "1.0.0"}).status_code == 204
    assert create(third, 400 * KB).status_code == 201  # room again once one is given up


def test_one_address_may_hold_only_so_many_unfinished_uploads(app):
    app.config["COMMUNE_RESUMABLE_OPEN_PER_ADDRESS"] = 3
    procedure = procedure_with_one_document()
    phones = [villager_at(app, procedure, "192.0.2.50") for _ in range(2)]  # two drafts behind one address
    for phone in (phones[0], phones[0], phones[1]):
        assert create(phone, 10 * KB).status_code == 201
    refused = create(phones[1], 10 * KB)
    assert refused.status_code == 429 and "quá nhiều tệp gửi dở" in refused.get_data(as_text=True)


def test_the_free_space_floor_is_kept_for_every_chunk(app):
    villager = villager_at(app, procedure_with_one_document(), "203.0.113.11")
    url = create(villager, 100 * KB).headers["Location"]
    app.config["COMMUNE_MIN_FREE_MB"] = free_bytes() // (1024 * 1024) + 10  # the disk is "nearly full"
    answer = patch(villager, url, b"z" * (50 * KB), 0)
    assert answer.status_code == 507 and "Retry-After" in answer.headers
    assert villager.head(url, headers={"Tus-Resumable": "1.0.0"}).headers["Upload-Offset"] == "0"
    assert (partial_dir(app) / f"{url.rsplit('/', 1)[1]}.part").stat().st_size == 0
    assert create(villager, 10 * KB).status_code == 507  # and no new upload either


def test_an_abandoned_upload_expires_after_the_configured_hours(app):
    app.config["COMMUNE_RESUMABLE_HOURS"] = 2
    procedure = procedure_with_one_document()
    villager = villager_at(app, procedure, "203.0.113.12")
    created = create(villager, 100 * KB)
    expires = parsedate_to_datetime(created.headers["Upload-Expires"]).replace(tzinfo=None)
    assert abs(expires - (utcnow() + timedelta(hours=2))) < timedelta(minutes=1)
    url = created.headers["Location"]
    assert patch(villager, url, b"a" * KB, 0).status_code == 204
    assert partial_uploads.purge_expired(now=utcnow() + timedelta(hours=1, minutes=59)) == 0
    meta = age(app, url, utcnow() - timedelta(hours=2, minutes=1))  # its last byte, 2 h 1 min ago
    assert create(villager, 10 * KB).status_code == 201  # the next creation sweeps it away
    assert not meta.exists() and not meta.with_suffix(".part").exists()
    assert villager.head(url, headers={"Tus-Resumable": "1.0.0"}).status_code == 404


def test_a_running_server_sweeps_expired_uploads_without_cron(app, monkeypatch):
    villager = villager_at(app, procedure_with_one_document(), "203.0.113.13")
    complete = send_all(villager, b"not a photo, and nobody asks for the outcome" * 10)
    unfinished = create(villager, 100 * KB).headers["Location"]
    metas = [age(app, url, utcnow() - timedelta(hours=4)) for url in (complete, unfinished)]
    monkeypatch.setattr(partial_uploads, "_sweeps", {})  # this process has not swept yet
    assert app.test_client().get("/").status_code == 200  # any request, any visitor
    assert not any(meta.exists() for meta in metas)
    assert not [p for p in partial_dir(app).iterdir() if not p.name.startswith(".")]


def test_a_backup_never_holds_partial_uploads(app, runner, tmp_path):
    villager = villager_at(app, procedure_with_one_document(), "203.0.113.14")
    url = create(villager, 100 * KB).headers["Location"]
    assert patch(villager, url, b"b" * (10 * KB), 0).status_code == 204
    assert any(partial_dir(app).iterdir())
    result = runner.invoke(args=["backup", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    [snapshot] = list((tmp_path / "b").iterdir())
    assert not (snapshot / "data" / "partial").exists()
    assert not [p for p in snapshot.rglob("*") if p.suffix in (".part", ".json", ".lock")]
