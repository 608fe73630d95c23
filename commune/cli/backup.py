"""`flask backup DEST [--keep N]`: a private, incremental snapshot of the database and the data folder.

Each run makes DEST/<YYYYmmdd-HHMMSS>/ holding the database (SQLite through its
online backup API, safe while the site runs; PostgreSQL through pg_dump) and
data/, a copy of COMMUNE_DATA_DIR. A file the previous snapshot already holds
unchanged is hard-linked to it, as `rsync --link-dest` does, so a night with no
new upload copies no file, yet every snapshot is complete on its own. The
snapshot is built under DEST/.partial-<stamp>/ and renamed when complete; it is
readable by its owner only (folders 0700, files 0600). Unfinished resumable uploads
(data/partial/, files/partial_uploads.py) are never copied: they expire in hours and
belong to no dossier. `--keep N` removes the
oldest snapshots beyond N. See docs/security.md.
"""
import fcntl
import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..extensions import db
from ..files.partial_uploads import FOLDER_NAME as PARTIAL_UPLOADS
from ..files.storage import fsync_dir
from .snapshot_checks import KEY_RE, PG_DUMP_NAME, SQLITE_NAME, check_references, check_sqlite_snapshot

SNAPSHOT_RE = re.compile(r"^\d{8}-\d{6}(-\d+)?$")
TRANSIENT = (".tmp-", ".pending-")  # storage's in-flight names: never part of a snapshot
NOT_BACKED_UP = (PARTIAL_UPLOADS,)  # top-level folders of the data folder a snapshot leaves out


class BackupError(click.ClickException):
    """A backup or restore that cannot go on (the message says why)."""


def private_dir(path):
    """Make `path` (and missing parents) a folder only its owner can read."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def snapshots(dest):
    """Complete snapshots in `dest`, oldest first."""
    dest = Path(dest)
    if not dest.is_dir():
        return []
    return sorted(p for p in dest.iterdir() if p.is_dir() and SNAPSHOT_RE.match(p.name))


def is_sqlite():
    return db.engine.url.get_backend_name() == "sqlite"


def sqlite_path():
    return db.engine.url.database


def pg_command_env():
    """(URI without password, environment with PGPASSWORD) for pg_dump / pg_restore."""
    url = db.engine.url.set(drivername="postgresql")
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return url.set(password=None).render_as_string(hide_password=False), env


def pg_tool(name):
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} not found: install the PostgreSQL client (Debian: postgresql-client)")
    return path


def backup_sqlite(dest_file):
    """Copy the live SQLite database into dest_file (created 0600) using the online backup API."""
    fd = os.open(dest_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    source = sqlite3.connect(sqlite_path())
    target = sqlite3.connect(dest_file)
    try:
        with target:
            source.backup(target)
        # One self-contained file (no -wal/-shm), readable even from read-only media at restore.
        target.execute("PRAGMA journal_mode=DELETE")
        problem = target.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        target.close()
        source.close()
    if problem != "ok":
        raise BackupError(f"the copy of the database failed its integrity check: {problem}")


def backup_postgresql(dest_file):
    """pg_dump the database (custom format, owner-free) into dest_file (0600)."""
    uri, env = pg_command_env()
    result = subprocess.run([pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                             f"--file={dest_file}", f"--dbname={uri}"],
                            env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    os.chmod(dest_file, 0o600)


def _unchanged(source, previous, source_stat):
    """Whether the previous snapshot's copy is the same file (name = hash, or size and mtime)."""
    try:
        old = previous.stat()
    except FileNotFoundError:
        return False
    if old.st_size != source_stat.st_size:
        return False
    return bool(KEY_RE.match(source.name)) or old.st_mtime_ns == source_stat.st_mtime_ns


def _copy_private(source, target):
    """Copy one file into the snapshot (0600, modification time kept); returns its SHA-256."""
    digest = hashlib.sha256()
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with open(source, "rb") as src, os.fdopen(fd, "wb") as dst:
        for block in iter(lambda: src.read(1 << 20), b""):
            digest.update(block)
            dst.write(block)
    stat = source.stat()
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    return digest.hexdigest()


def copy_files(source_dir, dest_dir, previous_dir=None):
    """Mirror source_dir into dest_dir, hard-linking files previous_dir holds unchanged.

    Returns {"copied", "linked", "corrupt"}: corrupt lists stored files whose content
    no longer matches their name (copied all the same, and reported).
    """
    stats = {"copied": 0, "linked": 0, "corrupt": []}
    source_dir, dest_dir = Path(source_dir), Path(dest_dir)
    private_dir(dest_dir)
    for folder, dirnames, filenames in os.walk(source_dir):
        rel = Path(folder).relative_to(source_dir)
        dirnames[:] = sorted(name for name in dirnames if rel != Path(".") or name not in NOT_BACKED_UP)
        target_folder = private_dir(dest_dir / rel)
        for name in sorted(filenames):
            if name.startswith(TRANSIENT):
                continue
            source = Path(folder) / name
            try:
                source_stat = source.stat()
            except FileNotFoundError:  # deleted while we walked (a draft purged)
                continue
            target = target_folder / name
            if target.exists():  # the second pass: copied by the first
                continue
            previous = previous_dir / rel / name if previous_dir else None
            if previous is not None and _unchanged(source, previous, source_stat):
                try:
                    os.link(previous, target)
                    stats["linked"] += 1
                    continue
                except OSError:  # a disk without hard links (FAT), or too many links: copy
                    pass
            try:
                digest = _copy_private(source, target)
            except FileNotFoundError:
                continue
            stats["copied"] += 1
            if KEY_RE.match(name) and digest != name:
                stats["corrupt"].append(str(rel / name))
    return stats


def rotate(dest, keep):
    """Remove the oldest complete snapshots so that `keep` remain; returns the removed names."""
    removed = []
    existing = snapshots(dest)
    for old in existing[:max(0, len(existing) - keep)]:
        shutil.rmtree(old)
        removed.append(old.name)
    return removed


def make_snapshot(dest, data_dir, keep=None):
    """Write one complete snapshot into `dest`; returns (path, stats, removed snapshot names)."""
    dest = Path(dest)
    if not dest.exists():
        private_dir(dest)
    lock = os.open(dest, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise BackupError(f"another backup is writing into {dest}") from error
        for stale in dest.glob(".partial-*"):  # a backup killed half-way
            shutil.rmtree(stale, ignore_errors=True)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        name, n = stamp, 1
        while (dest / name).exists():
            n += 1
            name = f"{stamp}-{n}"
        previous = (snapshots(dest) or [None])[-1]
        partial = private_dir(dest / f".partial-{name}")
        linked_from = previous / "data" if previous else None
        # Files, then the database, then the files added meanwhile: a file the copied rows reference
        # was on disk before their commit, and one deleted after the copy (a purge) was taken before.
        stats = copy_files(data_dir, partial / "data", linked_from)
        if is_sqlite():
            backup_sqlite(str(partial / SQLITE_NAME))
        else:
            backup_postgresql(str(partial / PG_DUMP_NAME))
        late = copy_files(data_dir, partial / "data", linked_from)
        stats = {"copied": stats["copied"] + late["copied"], "linked": stats["linked"] + late["linked"],
                 "corrupt": stats["corrupt"] + late["corrupt"], "missing": []}
        if is_sqlite():  # every file the copied rows reference is in the snapshot (restore checks it too)
            _problems, keys = check_sqlite_snapshot(partial / SQLITE_NAME)
            stats["missing"] = check_references(keys, partial / "data")
        os.sync()  # the copies are on the disk before the snapshot is called complete
        final = dest / name
        os.rename(partial, final)
        fsync_dir(dest)
        removed = rotate(dest, keep) if keep else []
        return final, stats, removed
    finally:
        os.close(lock)


@click.command("backup")
@click.argument("dest", type=click.Path(file_okay=False))
@click.option("--keep", type=click.IntRange(min=1), default=None,
              help="Keep only the N newest snapshots (default: keep all)")
@with_appcontext
def backup_command(dest, keep):
    """Back up the database and the data folder into DEST/<timestamp>/ (incremental, owner-only)."""
    final, stats, removed = make_snapshot(dest, current_app.config["COMMUNE_DATA_DIR"], keep)
    database = SQLITE_NAME if is_sqlite() else f"{PG_DUMP_NAME} (pg_dump)"
    click.echo(f"database: {final / database}")
    click.echo(f"files: {stats['copied']} copied, {stats['linked']} unchanged (hard-linked) "
               f"into {final / 'data'}")
    if removed:
        click.echo(f"rotation: removed {len(removed)} old snapshot(s): {', '.join(removed)}")
    if stats["missing"]:
        raise BackupError(f"the snapshot lacks {len(stats['missing'])} referenced file(s), missing from "
                          f"the data folder too: {'; '.join(stats['missing'][:5])}")
    if stats["corrupt"]:
        raise BackupError(f"{len(stats['corrupt'])} stored file(s) no longer match their hash "
                          f"(disk damage?): {', '.join(stats['corrupt'][:5])}")
