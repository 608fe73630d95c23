"""Where uploaded files live: one small interface, a local directory by default.

Files are named by the SHA-256 of their content (so the same photo sent twice
is stored once) under COMMUNE_DATA_DIR/files/<key[:2]>/<key>, never under
static/: they are only ever served through a view that checks who asks.
A larger deployment can plug in another backend with the same five methods
by setting app.extensions["commune_storage"] before the first request.
"""
import hashlib
import os
import re
import tempfile
from pathlib import Path

from flask import current_app

_KEY_RE = re.compile(r"^[0-9a-f]{64}$")


class StorageError(KeyError):
    """A key that is malformed or not stored."""


class LocalStorage:
    """Content-addressed files in a local directory."""

    def __init__(self, root):
        self.root = Path(root)

    def path(self, key) -> Path:
        """The file's path on disk (for send_file); raises StorageError for a malformed key."""
        if not isinstance(key, str) or not _KEY_RE.match(key):
            raise StorageError(key)
        return self.root / key[:2] / key

    def save(self, data: bytes) -> str:
        """Store `data` (atomically, once per content) and return its key."""
        key = hashlib.sha256(data).hexdigest()
        target = self.path(key)
        if target.exists():
            return key
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.chmod(tmp, 0o640)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
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


def get_storage():
    """The app's storage backend (LocalStorage under COMMUNE_DATA_DIR/files unless replaced)."""
    storage = current_app.extensions.get("commune_storage")
    if storage is None:
        storage = LocalStorage(Path(current_app.config["COMMUNE_DATA_DIR"]) / "files")
        current_app.extensions["commune_storage"] = storage
    return storage
