"""Where uploaded files live: one small interface, a local directory by default.

Files are named by the SHA-256 of their content (so the same photo sent twice
is stored once) under COMMUNE_DATA_DIR/files/<key[:2]>/<key>, never under
static/: they are only ever served through a view that checks who asks.
A larger deployment can plug in another backend with the same five methods
by setting app.extensions["commune_storage"] before the first request.

Durability (docs/security.md): a file is written to a temporary name, fsynced,
renamed into place and its directory fsynced before save() returns, so the
commit that references it (and the receipt shown after it) never points at a
file a power cut can lose or leave empty. Until that commit, a `.pending-`
marker names the writing process; `sweep()` at server start removes what a
killed process left: temporary files, and stored files no row references.
"""
import hashlib
import os
import re
import tempfile
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from ..extensions import db

_KEY_RE = re.compile(r"^[0-9a-f]{64}$")
_TMP_RE = re.compile(r"^\.tmp-(\d+)-")
_PENDING_RE = re.compile(r"^\.pending-([0-9a-f]{64})\.(\d+)$")
_SESSION_PENDING = "commune_pending_files"


class StorageError(KeyError):
    """A key that is malformed or not stored."""


def fsync_dir(path):
    """Make a directory's entries (a new name, a rename) durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_durably(target, data: bytes, mode=0o640, fsync=True):
    """Write `data` to `target` atomically: temp file, fsync, rename, fsync of the directory."""
    target = Path(target)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".tmp-{os.getpid()}-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if fsync:
                os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if fsync:
        fsync_dir(target.parent)


def _pid_alive(pid):
    if pid == os.getpid():
        return False  # only called at start: nothing of ours is in flight yet
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class LocalStorage:
    """Content-addressed files in a local directory."""

    def __init__(self, root, fsync=True):
        self.root = Path(root)
        self.fsync = fsync  # False only in bench/durability.py, to measure what fsync costs

    def path(self, key) -> Path:
        """The file's path on disk (for send_file); raises StorageError for a malformed key."""
        if not isinstance(key, str) or not _KEY_RE.match(key):
            raise StorageError(key)
        return self.root / key[:2] / key

    def _directory(self, path):
        if path.is_dir():
            return
        created = not self.root.is_dir()
        path.mkdir(parents=True, exist_ok=True)
        if self.fsync:
            if created:
                fsync_dir(self.root.parent)
            fsync_dir(self.root)

    def save(self, data: bytes) -> str:
        """Store `data` durably (once per content) and return its key."""
        key = hashlib.sha256(data).hexdigest()
        target = self.path(key)
        self._directory(target.parent)
        # Mark the key as in flight before the file appears: the sweep leaves it alone while we live.
        marker = target.parent / f".pending-{key}.{os.getpid()}"
        marker.touch()
        _until_commit(marker)
        if target.exists() and target.stat().st_size == len(data):
            return key
        write_durably(target, data, fsync=self.fsync)
        return key

    def open(self, key) -> bytes:
        """The stored bytes; StorageError if missing."""
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError as error:
            raise StorageError(key) from error

    def exists(self, key) -> bool:
        try:
            return self.path(key).is_file()
        except StorageError:
            return False

    def delete(self, key):
        """Remove the file if present (callers check that no row still uses the key)."""
        try:
            self.path(key).unlink(missing_ok=True)
        except StorageError:
            pass

    def keys(self):
        """Every stored key (content files only)."""
        if not self.root.is_dir():
            return
        for folder in sorted(self.root.iterdir()):
            if folder.is_dir():
                for entry in sorted(folder.iterdir()):
                    if _KEY_RE.match(entry.name) and entry.name[:2] == folder.name:
                        yield entry.name

    def sweep(self, keys_in_use):
        """Remove what a killed process left: temp files, its markers, and files no row references.

        `keys_in_use(keys)` answers which keys some row points to. A file another live
        process is still writing (its marker names it) is kept. Returns counts.
        """
        removed = {"temp": 0, "markers": 0, "orphans": 0}
        if not self.root.is_dir():
            return removed
        live_pending, markers, candidates = set(), [], []
        for folder in self.root.iterdir():
            if not folder.is_dir():
                continue
            for entry in folder.iterdir():
                name = entry.name
                if match := _TMP_RE.match(name):
                    if not _pid_alive(int(match.group(1))):
                        entry.unlink(missing_ok=True)
                        removed["temp"] += 1
                elif match := _PENDING_RE.match(name):
                    if _pid_alive(int(match.group(2))):
                        live_pending.add(match.group(1))
                    else:
                        markers.append(entry)
                elif _KEY_RE.match(name):
                    candidates.append(name)
        candidates = [key for key in candidates if key not in live_pending]
        used = set()
        for start in range(0, len(candidates), 500):
            used |= keys_in_use(candidates[start:start + 500])
        for key in candidates:
            if key not in used:
                self.delete(key)
                removed["orphans"] += 1
        for marker in markers:
            marker.unlink(missing_ok=True)
            removed["markers"] += 1
        return removed


def _until_commit(marker):
    """Drop `marker` once the current transaction commits (at once when there is none)."""
    if not has_app_context():
        marker.unlink(missing_ok=True)
        return
    db.session.info.setdefault(_SESSION_PENDING, []).append(marker)


@sa.event.listens_for(Session, "after_commit")
def _clear_markers(session):
    for marker in session.info.pop(_SESSION_PENDING, ()):
        marker.unlink(missing_ok=True)


def get_storage():
    """The app's storage backend (LocalStorage under COMMUNE_DATA_DIR/files unless replaced)."""
    storage = current_app.extensions.get("commune_storage")
    if storage is None:
        storage = LocalStorage(Path(current_app.config["COMMUNE_DATA_DIR"]) / "files")
        current_app.extensions["commune_storage"] = storage
    return storage


# Each table that stores keys registers a query answering which of some keys its rows still use
# (dossier pages and thumbnails, the catalog's blank forms). Storage itself knows no table.
_key_holders = []


def holds_keys(column):
    """Register a String column of storage keys: a file it names is never deleted."""
    _key_holders.append(column)
    return column


def keys_in_use(keys):
    """Which of `keys` some stored row still points to."""
    keys = {k for k in keys if k}
    if not keys:
        return set()
    used = set()
    for column in _key_holders:
        used |= set(db.session.scalars(sa.select(column).where(column.in_(keys))))
    return used


def release_keys(keys):
    """Delete stored files no row uses any more. Call after the rows are deleted and flushed."""
    keys = {k for k in keys if k}
    storage = get_storage()
    for key in keys - keys_in_use(keys):
        storage.delete(key)


def sweep_storage():
    """At server start: clean what a crash left in the storage (see LocalStorage.sweep)."""
    storage = get_storage()
    if not hasattr(storage, "sweep"):
        return None
    return storage.sweep(keys_in_use)
