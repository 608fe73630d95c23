"""Backup and restore drill: a backup taken while villagers submit restores into a site that works.

The drill runs the real server (tests/security/live_site.py) on SQLite; the
other tests run the command in-process on the test database (SQLite, or
PostgreSQL through pg_dump / pg_restore when COMMUNE_TEST_DATABASE_URL is set).
"""
import hashlib
import os
import sqlite3
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from commune.dossiers.attachments import attach_file
from commune.dossiers.models import Dossier, DossierFile
from commune.extensions import db
from tests.conftest import PG_URL
from tests.factories import make_dossier
from tests.photos import images
from tests.security.live_site import Site, Villager

pytestmark = pytest.mark.drill  # starts the site as a process of its own


def _tree(root):
    """{relative path: sha256} of every file under root."""
    root = Path(root)
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _row_counts(path):
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        return {table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}
    finally:
        connection.close()


def _submitting(site, shown, stop):
    n = 0
    while not stop.is_set():
        n += 1
        photo = images.jpeg(320, 240, color=(n % 256, 80, 160))
        try:
            code = Villager(site.url).submit_dossier(f"Hà Thị Sao {n}", f"0987{n:06d}", photo)
        except Exception:  # noqa: BLE001 - a journey cut short is simply not counted
            continue
        shown.append((code, f"0987{n:06d}"))


@pytest.mark.skipif(bool(PG_URL), reason="the drill's site runs on SQLite: the PostgreSQL pass would repeat it")
def test_a_backup_taken_during_submissions_restores_into_a_fresh_folder_that_serves(tmp_path):
    site = Site(tmp_path / "site")
    site.setup(clerk="clerk1")
    site.start()
    shown, stop = [], threading.Event()
    thread = threading.Thread(target=_submitting, args=(site, shown, stop), daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 120
        while len(shown) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        before = list(shown)
        result = site.flask("backup", str(tmp_path / "backups"))  # villagers keep submitting meanwhile
        during = len(shown) - len(before)
        deadline = time.monotonic() + 60
        while len(shown) < len(before) + during + 1 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
        thread.join(timeout=60)
        site.stop()
    assert len(before) >= 3 and "0 unchanged" in result.stdout
    [snapshot] = list((tmp_path / "backups").iterdir())

    restored = Site(tmp_path / "restored")
    result = restored.flask("restore", str(tmp_path / "backups"))
    assert "restored" in result.stdout, result.stdout
    assert _row_counts(restored.db_path) == _row_counts(snapshot / "commune.db")
    assert _tree(restored.data_dir) == _tree(snapshot / "data") != {}
    restored.flask("db", "upgrade", "heads")  # what `flask setup` does after a restore
    restored.start()
    try:
        villager = Villager(restored.url)
        for code, phone in before:  # every receipt shown before the backup began is in it
            status, path, _body = villager.look_up(code, phone)
            assert (status, path) == (200, f"/ho-so/{code}")
        clerk = Villager(restored.url)
        status, path, _body = clerk.log_in("clerk1")
        assert status == 200 and path != "/dang-nhap"
    finally:
        restored.stop()

    # The restored site now holds data: a second restore is refused unless --force, which moves it aside.
    refused = restored.flask("restore", str(snapshot), check=False)
    assert refused.returncode != 0 and "--force" in refused.stderr
    forced = restored.flask("restore", str(snapshot), "--force")
    assert "moved aside" in forced.stdout
    assert any(p.name.startswith("commune.db.before-restore-") for p in restored.instance.iterdir())


def _some_dossiers(n=3, first=0):
    for i in range(first, first + n):
        attach_file(make_dossier(), images.jpeg(color=(i, 2 * i, 3 * i)), f"{i}.jpg")
    db.session.commit()


def _files_of(snapshot):
    return {p.relative_to(snapshot): p.stat() for p in (snapshot / "data").rglob("*") if p.is_file()}


def test_the_second_backup_copies_no_unchanged_file_and_links_it_to_the_first(app, runner, tmp_path):
    _some_dossiers(3)
    first = runner.invoke(args=["backup", str(tmp_path / "b")])
    second = runner.invoke(args=["backup", str(tmp_path / "b")])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert "6 copied, 0 unchanged" in first.output and "0 copied, 6 unchanged" in second.output
    old, new = sorted((tmp_path / "b").iterdir())
    old_files, new_files = _files_of(old), _files_of(new)
    assert old_files.keys() == new_files.keys() and len(new_files) == 6
    for name, stat in new_files.items():
        assert stat.st_ino == old_files[name].st_ino and stat.st_nlink == 2  # one copy on the disk

    _some_dossiers(1, first=10)
    third = runner.invoke(args=["backup", str(tmp_path / "b")])
    assert "2 copied, 6 unchanged" in third.output  # only the new page and its thumbnail


def test_snapshots_are_readable_by_their_owner_only(app, runner, tmp_path):
    _some_dossiers(1)
    old_umask = os.umask(0o022)
    try:
        assert runner.invoke(args=["backup", str(tmp_path / "b")]).exit_code == 0
    finally:
        os.umask(old_umask)
    [snapshot] = list((tmp_path / "b").iterdir())
    assert (tmp_path / "b").stat().st_mode & 0o777 == 0o700
    for path in [snapshot, *snapshot.rglob("*")]:
        expected = 0o700 if path.is_dir() else 0o600
        assert path.stat().st_mode & 0o777 == expected, path
    assert (snapshot / ("commune.dump" if PG_URL else "commune.db")).is_file()


def test_keep_n_removes_the_oldest_snapshots(app, runner, tmp_path):
    _some_dossiers(1)
    for _ in range(4):
        result = runner.invoke(args=["backup", str(tmp_path / "b"), "--keep", "2"])
        assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (tmp_path / "b").iterdir())
    assert len(names) == 2 and "rotation: removed 1" in result.output
    assert all(_files_of(tmp_path / "b" / name) for name in names)  # each remaining snapshot is whole


def test_a_damaged_snapshot_is_refused_before_anything_changes(app, runner, tmp_path):
    _some_dossiers(2)
    assert runner.invoke(args=["backup", str(tmp_path / "b")]).exit_code == 0
    [snapshot] = list((tmp_path / "b").iterdir())
    row = db.session.scalars(sa.select(DossierFile)).first()
    stored = snapshot / "data" / "files" / row.storage_key[:2] / row.storage_key
    stored.unlink()
    stored.write_bytes(b"bit rot")
    result = runner.invoke(args=["restore", str(snapshot), "--force"])
    assert result.exit_code != 0 and "does not match" in result.output
    if not PG_URL:
        stored.unlink()
        result = runner.invoke(args=["restore", str(snapshot), "--force"])
        assert result.exit_code != 0 and f"referenced file missing: {row.storage_key}" in result.output
    assert db.session.scalar(sa.select(sa.func.count(Dossier.id))) == 2  # the live site untouched


def test_restore_with_force_brings_back_lost_dossiers(app, runner, tmp_path):
    """In-process on the test database: SQLite through the backup API, PostgreSQL through pg_restore."""
    _some_dossiers(2)
    codes = set(db.session.scalars(sa.select(Dossier.code)))
    assert runner.invoke(args=["backup", str(tmp_path / "b")]).exit_code == 0
    db.session.execute(sa.delete(DossierFile))
    db.session.execute(sa.delete(Dossier))
    db.session.commit()
    refused = runner.invoke(args=["restore", str(tmp_path / "b")])
    assert refused.exit_code != 0 and "--force" in refused.output
    result = runner.invoke(args=["restore", str(tmp_path / "b"), "--force"])
    assert result.exit_code == 0, result.output
    db.session.remove()
    assert set(db.session.scalars(sa.select(Dossier.code))) == codes
    storage_root = Path(app.config["COMMUNE_DATA_DIR"]) / "files"
    for key in db.session.scalars(sa.select(DossierFile.storage_key)):
        assert hashlib.sha256((storage_root / key[:2] / key).read_bytes()).hexdigest() == key


def test_restored_files_and_folders_are_readable_by_their_owner_only(app, runner, tmp_path):
    """Even under the common umask 022: the restored pages are villagers' identity papers."""
    _some_dossiers(2)
    assert runner.invoke(args=["backup", str(tmp_path / "b")]).exit_code == 0
    data_dir = Path(app.config["COMMUNE_DATA_DIR"])
    old_umask = os.umask(0o022)
    try:
        result = runner.invoke(args=["restore", str(tmp_path / "b"), "--force"])
    finally:
        os.umask(old_umask)
    assert result.exit_code == 0, result.output
    restored = [data_dir, *data_dir.rglob("*")]
    assert any(path.is_file() for path in restored)
    for path in restored:
        expected = 0o700 if path.is_dir() else 0o600
        assert path.stat().st_mode & 0o777 == expected, path
    if not PG_URL:
        database = Path(db.engine.url.database)
        assert database.stat().st_mode & 0o777 == 0o600


@pytest.mark.skipif(bool(PG_URL), reason="SQLite's file format")
def test_a_sqlite_snapshot_is_one_self_contained_file_restore_writes_nothing_into(app, runner, tmp_path):
    """So it restores from read-only media (a USB disk mounted read-only): no -wal or -shm beside it."""
    _some_dossiers(1)
    assert runner.invoke(args=["backup", str(tmp_path / "b")]).exit_code == 0
    [snapshot] = list((tmp_path / "b").iterdir())
    with open(snapshot / "commune.db", "rb") as handle:
        assert handle.read(20)[18:20] == b"\x01\x01"  # rollback-journal format, not WAL
    before = _tree(snapshot)
    result = runner.invoke(args=["restore", str(snapshot), "--force"])
    assert result.exit_code == 0, result.output
    assert _tree(snapshot) == before


@pytest.mark.skipif(bool(PG_URL), reason="the dump is checked at restore on PostgreSQL")
def test_a_backup_says_so_when_the_site_has_lost_a_referenced_file(app, runner, tmp_path):
    _some_dossiers(2)
    row = db.session.scalars(sa.select(DossierFile)).first()
    (Path(app.config["COMMUNE_DATA_DIR"]) / "files" / row.storage_key[:2] / row.storage_key).unlink()
    result = runner.invoke(args=["backup", str(tmp_path / "b")])
    assert result.exit_code != 0 and "lacks 1 referenced file" in result.output
    assert row.storage_key in result.output
