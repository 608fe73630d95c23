"""`flask restore SRC [--force]`: put a snapshot made by `backup` back, after checking it is whole.

SRC is one snapshot folder, or the backup folder (its newest snapshot is used).
Before anything is touched: SQLite's integrity_check on the copied database,
every stored file's SHA-256 against its name, and every DossierFile / BlankForm
storage key present. A target that already holds a database or files is
refused unless --force; then its SQLite file and data folder are moved aside
(`*.before-restore-<stamp>`), never deleted, and a PostgreSQL database is
replaced by pg_restore --clean. After it, `flask setup` applies any migration
the snapshot predates and the site serves the restored data.
"""
import os
import shutil
import sqlite3
import subprocess
from datetime import datetime
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from ..catalog.models import BlankForm
from ..dossiers.models import Dossier, DossierFile
from ..extensions import db
from .backup import BackupError, is_sqlite, pg_command_env, pg_tool, private_dir, snapshots, sqlite_path
from .snapshot_checks import (
    PG_DUMP_NAME,
    SQLITE_NAME,
    check_files,
    check_references,
    check_sqlite_snapshot,
)


def find_snapshot(src):
    """The snapshot folder SRC names (itself, or the newest inside a backup folder)."""
    src = Path(src)
    if (src / SQLITE_NAME).is_file() or (src / PG_DUMP_NAME).is_file():
        return src
    found = snapshots(src)
    if not found:
        raise BackupError(f"{src} holds no snapshot made by `backup`")
    return found[-1]


def check_snapshot(snapshot):
    """Every problem found in a snapshot (empty when it is whole)."""
    data_dir = snapshot / "data"
    problems = check_files(data_dir)
    if (snapshot / SQLITE_NAME).is_file():
        db_problems, keys = check_sqlite_snapshot(snapshot / SQLITE_NAME)
        problems += db_problems + check_references(keys, data_dir)
    else:
        result = subprocess.run([pg_tool("pg_restore"), "--list", str(snapshot / PG_DUMP_NAME)],
                                capture_output=True, text=True)
        if result.returncode != 0:
            problems.append(f"pg_restore --list: {result.stderr.strip()}")
    return problems


def target_has_data(data_dir):
    """Whether the configured database or data folder already holds something."""
    if any(path.is_file() for path in Path(data_dir).rglob("*")):
        return True
    if is_sqlite():
        path = Path(sqlite_path())
        return path.exists() and path.stat().st_size > 0
    return bool(sa.inspect(db.engine).get_table_names())


def move_aside(data_dir):
    """Move the present SQLite file (with its WAL) and data folder to *.before-restore-<stamp>."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    moved = []
    paths = [Path(data_dir)]
    if is_sqlite():
        base = sqlite_path()
        paths += [Path(base + suffix) for suffix in ("", "-wal", "-shm")]
    for path in paths:
        if path.exists():
            aside = path.with_name(f"{path.name}.before-restore-{stamp}")
            os.rename(path, aside)
            moved.append(str(aside))
    return moved


def restore_sqlite(snapshot_db):
    """Write the snapshot's database to the configured SQLite path (a new file, 0600)."""
    target_path = sqlite_path()
    if not Path(target_path).parent.exists():
        private_dir(Path(target_path).parent)
    for suffix in ("", "-wal", "-shm"):  # an empty file a first connection made holds nothing
        leftover = Path(target_path + suffix)
        if leftover.exists() and leftover.stat().st_size == 0:
            leftover.unlink()
    fd = os.open(target_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    source = sqlite3.connect(f"file:{snapshot_db}?mode=ro", uri=True)
    target = sqlite3.connect(target_path)
    try:
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()
    os.chmod(target_path, 0o600)


def restore_postgresql(dump):
    """Replace the configured PostgreSQL database's objects with the dump's."""
    uri, env = pg_command_env()
    result = subprocess.run([pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
                             "--single-transaction", f"--dbname={uri}", str(dump)],
                            env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")


def _copy_owner_only(source, target):
    """Copy one file, created 0600 from the start (no moment where the umask lets others read it)."""
    if target.exists() or target.is_symlink():
        target.unlink()
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with open(source, "rb") as src, os.fdopen(fd, "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    os.chmod(target, 0o600)  # O_CREAT's mode is narrowed by the umask; say it outright


def restore_files(source_dir, data_dir):
    """Copy the snapshot's data folder into data_dir, readable by the site's account only
    (folders 0700, files 0600): the pages are villagers' identity papers."""
    source_dir, data_dir = Path(source_dir), Path(data_dir)
    copied = 0
    for folder, _dirnames, filenames in os.walk(source_dir):
        target_folder = private_dir(data_dir / Path(folder).relative_to(source_dir))
        for name in filenames:
            _copy_owner_only(Path(folder) / name, target_folder / name)
            copied += 1
    os.sync()
    return copied


def verify_live(data_dir):
    """After the restore: every key the restored rows reference is in the data folder."""

    keys = set(db.session.scalars(sa.select(DossierFile.storage_key)))
    keys |= set(db.session.scalars(sa.select(DossierFile.thumb_key)))
    keys |= set(db.session.scalars(sa.select(BlankForm.storage_key)))
    return check_references(keys, data_dir)


@click.command("restore")
@click.argument("src", type=click.Path(exists=True, file_okay=False))
@click.option("--force", is_flag=True,
              help="Restore over a site that holds data (its SQLite file and data folder are moved aside)")
@with_appcontext
def restore_command(src, force):
    """Restore a snapshot made by `backup` into the configured database and data folder."""

    snapshot = find_snapshot(src)
    kind = "sqlite" if (snapshot / SQLITE_NAME).is_file() else "postgresql"
    if kind != ("sqlite" if is_sqlite() else "postgresql"):
        raise BackupError(f"{snapshot} holds a {kind} database; this site is configured for the other kind")
    click.echo(f"checking {snapshot} …")
    problems = check_snapshot(snapshot)
    if problems:
        raise BackupError("the snapshot is damaged, nothing was changed:\n  " + "\n  ".join(problems[:20]))
    data_dir = current_app.config["COMMUNE_DATA_DIR"]
    db.session.remove()
    db.engine.dispose()
    if target_has_data(data_dir):
        if not force:
            raise BackupError("this site already holds a database or files: stop the service and add "
                              "--force to replace them (they are moved aside, not deleted)")
        for path in move_aside(data_dir):
            click.echo(f"moved aside: {path}")
    db.engine.dispose()
    if kind == "sqlite":
        restore_sqlite(snapshot / SQLITE_NAME)
    else:
        restore_postgresql(snapshot / PG_DUMP_NAME)
    copied = restore_files(snapshot / "data", data_dir)
    problems = verify_live(data_dir)
    if problems:
        raise BackupError("restored, but the check found problems:\n  " + "\n  ".join(problems[:20]))
    dossiers = db.session.scalar(sa.select(sa.func.count(Dossier.id)))
    click.echo(f"restored {dossiers} dossier(s) and {copied} file(s) from {snapshot}")
    click.echo("next: `flask --app app setup` (applies migrations newer than the snapshot), then start the service")
