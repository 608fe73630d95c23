"""What a snapshot holds and how it is checked: shared by `backup` (it checks what it made) and
`restore` (it checks before it replaces anything)."""
import hashlib
import re
import sqlite3
from pathlib import Path

SQLITE_NAME = "commune.db"
PG_DUMP_NAME = "commune.dump"
KEY_RE = re.compile(r"^[0-9a-f]{64}$")
KEY_QUERIES = (
    "SELECT storage_key FROM dossier_files",
    "SELECT thumb_key FROM dossier_files WHERE thumb_key IS NOT NULL",
    "SELECT storage_key FROM blank_forms",
)



def stored_keys(data_dir):
    """{key: path} of the content-addressed files under data_dir/files."""
    root = Path(data_dir) / "files"
    keys = {}
    if root.is_dir():
        for path in root.glob("??/*"):
            if KEY_RE.match(path.name) and path.parent.name == path.name[:2]:
                keys[path.name] = path
    return keys


def check_files(data_dir):
    """Problems with the stored files: a hash that does not match, an empty file."""
    problems = []
    for key, path in stored_keys(data_dir).items():
        data = path.read_bytes()
        if not data:
            problems.append(f"empty file {key}")
        elif hashlib.sha256(data).hexdigest() != key:
            problems.append(f"content does not match its name: {key}")
    return problems


def check_references(keys, data_dir):
    """Problems: storage keys the rows reference that the files do not hold."""
    present = stored_keys(data_dir)
    missing = sorted({k for k in keys if k} - present.keys())
    return [f"referenced file missing: {k}" for k in missing]


def check_sqlite_snapshot(path):
    """(problems, referenced keys) of a snapshot's SQLite file, opened read-only."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        result = connection.execute("PRAGMA integrity_check").fetchall()
        problems = [] if result == [("ok",)] else [f"integrity_check: {row[0]}" for row in result[:5]]
        keys = set()
        for query in KEY_QUERIES:
            try:
                keys |= {row[0] for row in connection.execute(query)}
            except sqlite3.OperationalError:  # an older schema without that table
                pass
    finally:
        connection.close()
    return problems, keys
