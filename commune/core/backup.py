"""`flask backup DEST`: a consistent copy of the SQLite database and the uploaded files.

SQLite is copied with its online backup API (safe while the site runs, WAL
included); files are content-addressed and never change, so copying new ones is
enough. For PostgreSQL, use pg_dump (README.md) and this command copies the files.
"""
import shutil
import sqlite3
from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..extensions import db


def backup_sqlite(dest_file):
    """Copy the live SQLite database into dest_file using the online backup API."""
    source_path = db.engine.url.database
    source = sqlite3.connect(source_path)
    target = sqlite3.connect(dest_file)
    with target:
        source.backup(target)
    target.close()
    source.close()


def copy_files(source_dir, dest_dir):
    """Copy files not yet in dest_dir (content-addressed files never change). Returns how many."""
    copied = 0
    source_dir, dest_dir = Path(source_dir), Path(dest_dir)
    for path in source_dir.rglob("*"):
        if path.is_file():
            target = dest_dir / path.relative_to(source_dir)
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)
                copied += 1
    return copied


@click.command("backup")
@click.argument("dest", type=click.Path(file_okay=False))
@with_appcontext
def backup_command(dest):
    """Back up the database (SQLite) and the data folder into DEST/<timestamp>/."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = Path(dest) / stamp
    target.mkdir(parents=True, exist_ok=False)
    if db.engine.url.get_backend_name() == "sqlite":
        backup_sqlite(str(target / "commune.db"))
        click.echo(f"database: {target / 'commune.db'}")
    else:
        click.echo("database: PostgreSQL — back it up with pg_dump (see README.md)")
    copied = copy_files(current_app.config["COMMUNE_DATA_DIR"], target / "data")
    click.echo(f"files: {copied} copied to {target / 'data'}")
