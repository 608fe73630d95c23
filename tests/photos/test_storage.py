"""Storage by content hash in the data directory, and attaching pages to a dossier within the caps."""
from pathlib import Path

import pytest

from commune.dossiers.attachments import attach_file, remove_file, safe_name
from commune.extensions import db
from commune.files.photos import PhotoError
from commune.files.storage import LocalStorage, StorageError, get_storage, release_keys
from tests.factories import make_dossier
from tests.photos import images


def test_files_are_stored_by_content_hash_in_the_data_directory_never_under_static(app):
    storage = get_storage()
    key = storage.save(b"trang 1")
    path = storage.path(key)
    assert path == Path(app.config["COMMUNE_DATA_DIR"]) / "files" / key[:2] / key
    assert "static" not in path.parts
    assert storage.exists(key) and storage.open(key) == b"trang 1"
    assert storage.save(b"trang 1") == key  # the same content is stored once
    storage.delete(key)
    assert not storage.exists(key)
    with pytest.raises(StorageError):
        storage.open(key)


def test_a_malformed_key_never_reaches_the_disk(tmp_path):
    storage = LocalStorage(tmp_path)
    for key in ("../../etc/passwd", "abc", None, "A" * 64):
        with pytest.raises(StorageError):
            storage.path(key)
        assert storage.exists(key) is False


def test_attaching_a_photo_stores_the_processed_page_and_its_record(app):
    dossier = make_dossier(status="draft", code=None)
    row = attach_file(dossier, images.jpeg(3000, 2000, gps=True), "Ảnh CCCD mặt trước.jpg", document_index=1)
    db.session.commit()
    storage = get_storage()
    assert row.mime == "image/jpeg" and (row.width, row.height) == (2000, 1333)
    assert storage.open(row.storage_key)[:2] == b"\xff\xd8" and storage.exists(row.thumb_key)
    assert row.sha256 == row.storage_key and row.size_bytes == len(storage.open(row.storage_key))
    assert row.original_name == "Anh-CCCD-mat-truoc.jpg"
    assert row.document_index == 1 and row.round == 0 and row.purpose == "document"


def test_a_dossier_cannot_hold_more_pages_than_the_cap(app):
    app.config["COMMUNE_MAX_FILES"] = 2
    dossier = make_dossier(status="draft", code=None)
    attach_file(dossier, images.jpeg(color=(1, 2, 3)), "1.jpg")
    attach_file(dossier, images.jpeg(color=(4, 5, 6)), "2.jpg")
    with pytest.raises(PhotoError, match="số tối đa"):
        attach_file(dossier, images.jpeg(color=(7, 8, 9)), "3.jpg")
    # A supplement answer (round 1) has its own allowance.
    assert attach_file(dossier, images.jpeg(), "4.jpg", round=1).round == 1


def test_a_draft_cannot_grow_past_the_byte_cap(app):
    app.config["COMMUNE_MAX_DRAFT_MB"] = 1
    dossier = make_dossier(status="draft", code=None)
    attach_file(dossier, images.pdf(1, padding=700_000), "a.pdf")
    with pytest.raises(PhotoError, match="dung lượng"):
        attach_file(dossier, images.pdf(2, padding=700_000), "b.pdf")


def test_removing_a_page_keeps_bytes_another_dossier_still_uses(app):
    first, second = make_dossier(status="draft", code=None), make_dossier(status="draft", code=None)
    photo = images.jpeg()
    a = attach_file(first, photo, "a.jpg")
    b = attach_file(second, photo, "a.jpg")
    assert a.storage_key == b.storage_key
    keys = remove_file(a)
    db.session.commit()
    release_keys(keys)
    assert get_storage().exists(b.storage_key)
    release_keys(remove_file(b))
    assert not get_storage().exists(b.storage_key)


def test_safe_names_have_no_paths_or_accents():
    assert safe_name("../../Giấy khai sinh (bản 1).pdf") == "Giay-khai-sinh-ban-1-.pdf"
    assert safe_name("") == "tep"


def test_the_same_page_sent_twice_is_kept_once(app):
    """A retry after a lost answer (or a double tap) must not give the clerk the page twice."""
    dossier = make_dossier(status="draft")
    photo = images.jpeg(800, 600)
    first = attach_file(dossier, photo, "to-khai.jpg", document_index=0)
    again = attach_file(dossier, photo, "to-khai.jpg", document_index=0)
    other_part = attach_file(dossier, photo, "to-khai.jpg", document_index=1)
    db.session.commit()
    assert again.id == first.id
    assert other_part.id != first.id  # the same photo filed under another paper is the villager's choice
    assert len(dossier.files) == 2


def _dead_pid():
    import subprocess
    import sys

    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_save_leaves_no_temporary_file_or_marker_once_committed(app):
    storage = get_storage()
    dossier = make_dossier(status="draft", code=None)
    row = attach_file(dossier, images.jpeg(), "a.jpg")
    folder = storage.path(row.storage_key).parent
    assert any(p.name.startswith(".pending-") for p in folder.iterdir())  # in flight until the commit
    db.session.commit()
    names = [p.name for p in Path(storage.root).rglob("*") if p.is_file()]
    assert sorted(names) == sorted({row.storage_key, row.thumb_key})
    assert storage.path(row.storage_key).stat().st_mode & 0o777 == 0o640


def test_the_start_sweep_removes_what_a_killed_process_left_and_keeps_the_rest(app):
    """A kill between a file's save and its commit leaves an unreferenced file; the next start removes it."""
    from commune.files.storage import sweep_storage

    storage = get_storage()
    kept = attach_file(make_dossier(status="draft", code=None), images.jpeg(color=(9, 9, 9)), "a.jpg")
    db.session.commit()
    orphan = storage.save(b"uncommitted upload")  # our transaction never commits: as if killed here
    dead = _dead_pid()
    folder = storage.path(orphan).parent
    (folder / f".tmp-{dead}-abc").write_bytes(b"half written")
    in_flight = storage.save(b"another process is still writing this one")
    for marker in storage.path(in_flight).parent.glob(f".pending-{in_flight}.*"):
        marker.rename(marker.with_name(f".pending-{in_flight}.1"))  # pid 1 is alive: its upload is in flight
    db.session.rollback()

    removed = sweep_storage()
    assert removed == {"temp": 1, "markers": 1, "orphans": 1}
    assert not storage.exists(orphan) and not (folder / f".tmp-{dead}-abc").exists()
    assert storage.exists(kept.storage_key) and storage.exists(kept.thumb_key)
    assert storage.exists(in_flight)
