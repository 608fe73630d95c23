"""The partial files of resumable uploads on disk: where they live, their locks, their expiry.

Each upload is COMMUNE_DATA_DIR/partial/<id>.part (the bytes received so far), <id>.json (what
the server knows: a PartialUpload) and, once a request has worked on it, <id>.lock. An id is 24
URL-safe characters the server chose; anything else is refused by its shape before a path is
built, and no file is made for an id that has no <id>.json, so made-up ids leave nothing behind.

An upload expires COMMUNE_RESUMABLE_HOURS (default 3) after its last byte, complete or not.
Expired uploads are removed by `purge_expired`: at each creation (files/resumable.py), on a
running server at most every SWEEP_SECONDS from any request (`sweep_if_due`), and by
`flask drafts purge`. The folder is never backed up (cli/backup.py).
"""
import fcntl
import json
import logging
import os
import re
import threading
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app

from ..core.timeutil import utcnow

FOLDER_NAME = "partial"
DEFAULT_HOURS = 3
SWEEP_SECONDS = 600  # a running server looks for expired uploads at most this often
_ID_RE = re.compile(r"[A-Za-z0-9_-]{20,40}")  # secrets.token_urlsafe(18) gives 24
_sweeps = {}  # partial folder -> monotonic time of this process's last sweep
_sweeps_lock = threading.Lock()
log = logging.getLogger("commune.uploads")


@dataclass
class PartialUpload:
    """What the server knows about one upload (kept in <id>.json beside the bytes)."""

    id: str
    owner: str
    length: int
    offset: int = 0
    filename: str = ""
    target: str = ""  # where the feature puts the complete file (a document part, a requested item)
    created_at: str = ""
    expires_at: str = ""
    result: dict = field(default_factory=dict)  # what the feature recorded for the complete file
    client: str = ""  # the address it counts against ("" for staff)
    charged_on: str = ""  # the day its declared length was counted on (upload_guard.reserve)
    charged: int = 0  # bytes still counted for it, given back on completion or termination

    @property
    def complete(self):
        return self.offset >= self.length

    @property
    def expires(self):
        return datetime.fromisoformat(self.expires_at)

    @property
    def holds_bytes(self):
        """Its .part is still on disk (no outcome recorded yet)."""
        return not self.result


def valid_id(upload_id):
    """Whether `upload_id` has the shape of an id this server makes (checked before any path is built)."""
    return isinstance(upload_id, str) and bool(_ID_RE.fullmatch(upload_id))


def lifetime():
    """How long an upload stays after its last byte (COMMUNE_RESUMABLE_HOURS)."""
    return timedelta(hours=int(current_app.config.get("COMMUNE_RESUMABLE_HOURS") or DEFAULT_HOURS))


def folder(create=False):
    """The partial uploads' folder (made only when an upload is created)."""
    path = Path(current_app.config["COMMUNE_DATA_DIR"]) / FOLDER_NAME
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def paths(upload_id):
    """(<id>.part, <id>.json) of a valid id."""
    base = folder()
    return base / f"{upload_id}.part", base / f"{upload_id}.json"


def save(upload):
    _part, meta = paths(upload.id)
    temporary = meta.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(asdict(upload)))
    os.replace(temporary, meta)


def read(upload_id):
    """The upload `upload_id`, or None (no such upload, or not an id of ours)."""
    if not valid_id(upload_id):
        return None
    _part, meta = paths(upload_id)
    try:
        return PartialUpload(**json.loads(meta.read_text()))
    except (OSError, ValueError, TypeError):
        return None


def _open_lock(upload_id):
    """A handle on the upload's lock file, made only for an upload that exists (None otherwise)."""
    if not valid_id(upload_id) or not paths(upload_id)[1].exists():
        return None
    try:
        return open(folder() / f"{upload_id}.lock", "a")
    except OSError:
        return None


@contextmanager
def locked(upload_id):
    """One request at a time works on an upload (two tabs, a retry while the old request lingers).

    Yields False, touching nothing on disk, when there is no such upload."""
    handle = _open_lock(upload_id)
    if handle is None:
        yield False
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def creating():
    """One creation at a time (the limits count every upload): a lock on the folder itself."""
    fd = os.open(folder(create=True), os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def remove(upload_id):
    """Delete an upload's files (termination, expiry)."""
    if not valid_id(upload_id):
        return
    part, meta = paths(upload_id)
    for path in (part, meta, folder() / f"{upload_id}.lock"):
        path.unlink(missing_ok=True)


def _remove_if_expired(upload_id, now):
    """Remove an expired (or unreadable) upload unless a request is working on it right now."""
    handle = _open_lock(upload_id)
    if handle is None:
        return False
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # a PATCH is writing: it is not abandoned
            return False
        upload = read(upload_id)
        if upload is not None and upload.expires > now:
            return False
        remove(upload_id)
        return True


def purge_expired(now=None):
    """Remove expired uploads and stray files (a .part or .lock without its .json); returns how many uploads."""
    now = now or utcnow()
    base = folder()
    if not base.is_dir():
        return 0
    count = 0
    for meta in base.glob("*.json"):
        upload = read(meta.stem)
        if (upload is None or upload.expires <= now) and _remove_if_expired(meta.stem, now):
            count += 1
    stale = (now - lifetime()).timestamp()
    for path in list(base.glob("*.part")) + list(base.glob("*.lock")) + list(base.glob("*.tmp")):
        try:
            if not (base / f"{path.name.split('.')[0]}.json").exists() and path.stat().st_mtime < stale:
                path.unlink(missing_ok=True)
        except OSError:
            continue
    return count


def live_uploads(now=None):
    """Every upload that has not expired (the expired ones are removed on the way)."""
    now = now or utcnow()
    found = []
    for meta in folder().glob("*.json"):
        upload = read(meta.stem)
        if upload is None or upload.expires <= now:
            _remove_if_expired(meta.stem, now)
        else:
            found.append(upload)
    return found


def sweep_if_due():
    """On a running server: remove expired uploads if this process has not looked for SWEEP_SECONDS."""
    base = str(folder())
    now = time.monotonic()
    with _sweeps_lock:
        last = _sweeps.get(base)
        if last is not None and now - last < SWEEP_SECONDS:
            return 0
        _sweeps[base] = now
    try:
        removed = purge_expired()
    except OSError:  # never fail the request that happened to come at sweep time
        log.exception("sweeping expired partial uploads failed")
        return 0
    if removed:
        log.info("removed %d expired partial upload(s)", removed)
    return removed
