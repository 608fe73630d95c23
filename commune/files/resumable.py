"""Resumable uploads, tus 1.0 (tus.io): the protocol's mechanics and the partial files on disk.

Core, creation, termination, checksum (sha1, md5, sha256) and expiration. This module knows
no dossier: each upload carries an `owner` string (e.g. "draft:12") that the feature's views
compare with the visitor's own object before answering, and a `result` the views write when
the complete file went through the photo pipeline. Partial uploads live in
COMMUNE_DATA_DIR/partial/ as <id>.part (the bytes) and <id>.json (what the server knows);
they expire COMMUNE_RESUMABLE_HOURS after their last byte and `flask drafts purge` removes them.

A declared Upload-Length over COMMUNE_RESUMABLE_MAX_MB is refused at creation, before any
byte is sent. A PATCH must start at the server's offset (409 otherwise), must not pass the
declared length, and with Upload-Checksum is kept only if the digest matches (460 otherwise).
"""
import base64
import binascii
import fcntl
import hashlib
import json
import os
import re
import secrets
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from ..core.i18n import N_
from ..core.timeutil import utcnow

TUS_VERSION = "1.0.0"
EXTENSIONS = "creation,termination,checksum,expiration"
CHECKSUMS = {"sha1": hashlib.sha1, "md5": hashlib.md5, "sha256": hashlib.sha256}
OFFSET_TYPE = "application/offset+octet-stream"
DEFAULT_MAX_MB = 30  # a camera original (files/photos.py MAX_IMAGE_BYTES)
DEFAULT_HOURS = 24
MAX_OPEN_PER_OWNER = 10  # unfinished uploads one draft or dossier may hold at once
CHECKSUM_MISMATCH = 460
_ID_RE = re.compile(r"^[A-Za-z0-9_-]{20,40}$")
_READ = 64 * 1024

MSG_TOO_BIG = N_("Tệp quá lớn (tối đa {mb} MB). Hãy chụp lại ảnh hoặc gửi tệp nhỏ hơn.")
MSG_NO_LENGTH = N_("Thiếu kích thước tệp. Hãy tải lại trang rồi gửi lại.")
MSG_GONE = N_("Phần tệp đã gửi dở đã hết hạn. Hãy chọn lại tệp để gửi lại từ đầu.")
MSG_NOT_FOUND = N_("Không tìm thấy phần tệp đã gửi dở. Hãy chọn lại tệp.")
MSG_OFFSET = N_("Vị trí gửi tiếp không khớp với máy chủ. Đang gửi tiếp từ chỗ máy chủ đã nhận.")
MSG_CHECKSUM = N_("Phần tệp vừa gửi bị lỗi trên đường truyền. Đang gửi lại phần đó.")
MSG_TOO_MANY_OPEN = N_("Đang có quá nhiều tệp gửi dở. Hãy chờ các tệp đó gửi xong rồi thử lại.")
MSG_BAD_REQUEST = N_("Yêu cầu gửi tệp không hợp lệ. Hãy tải lại trang rồi gửi lại.")


class TusError(Exception):
    """A refused tus request: the HTTP status and a Vietnamese message (msgid, translated on str())."""

    def __init__(self, status, message, headers=None, **values):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}
        self.values = values  # filled in after translation: {mb} etc.

    def __str__(self):
        return _(self.message).format(**self.values)


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

    @property
    def complete(self):
        return self.offset >= self.length

    @property
    def expires(self):
        return datetime.fromisoformat(self.expires_at)


def max_bytes():
    """The largest Upload-Length accepted (COMMUNE_RESUMABLE_MAX_MB)."""
    return int(current_app.config.get("COMMUNE_RESUMABLE_MAX_MB") or DEFAULT_MAX_MB) * 1024 * 1024


def lifetime():
    """How long an upload stays after its last byte (COMMUNE_RESUMABLE_HOURS)."""
    return timedelta(hours=int(current_app.config.get("COMMUNE_RESUMABLE_HOURS") or DEFAULT_HOURS))


def folder():
    path = Path(current_app.config["COMMUNE_DATA_DIR"]) / "partial"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _paths(upload_id):
    base = folder()
    return base / f"{upload_id}.part", base / f"{upload_id}.json"


def _save(upload):
    _part, meta = _paths(upload.id)
    temporary = meta.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(asdict(upload)))
    os.replace(temporary, meta)


@contextmanager
def _locked(upload_id):
    """One request at a time works on an upload (two tabs, a retry while the old request lingers)."""
    with open(folder() / f"{upload_id}.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def base_headers():
    return {"Tus-Resumable": TUS_VERSION, "Cache-Control": "no-store"}


def options_headers():
    """What OPTIONS tells a client about this server."""
    return {**base_headers(), "Tus-Version": TUS_VERSION, "Tus-Extension": EXTENSIONS,
            "Tus-Max-Size": str(max_bytes()), "Tus-Checksum-Algorithm": ",".join(CHECKSUMS)}


def upload_headers(upload):
    """Upload-Offset, Upload-Length and Upload-Expires of `upload`."""
    return {**base_headers(), "Upload-Offset": str(upload.offset), "Upload-Length": str(upload.length),
            "Upload-Expires": format_datetime(upload.expires.replace(tzinfo=UTC), usegmt=True)}


def check_version(headers):
    """Every request but OPTIONS says Tus-Resumable: 1.0.0 (412 otherwise)."""
    if headers.get("Tus-Resumable") != TUS_VERSION:
        raise TusError(412, MSG_BAD_REQUEST, {"Tus-Version": TUS_VERSION})


def declared_length(headers):
    """The Upload-Length of a creation request, refused (413) over the cap before any byte is read."""
    value = headers.get("Upload-Length", "")
    if not value.isdigit() or len(value) > 15:
        raise TusError(400, MSG_NO_LENGTH)
    length = int(value)
    if length > max_bytes():
        raise TusError(413, MSG_TOO_BIG, mb=max_bytes() // (1024 * 1024))
    return length


def metadata(headers):
    """Upload-Metadata ("key base64,key base64") as a dict of text (undecodable values dropped)."""
    values = {}
    for pair in headers.get("Upload-Metadata", "")[:4096].split(","):
        key, _sep, encoded = pair.strip().partition(" ")
        if not key:
            continue
        try:
            values[key] = base64.b64decode(encoded, validate=True).decode("utf-8") if encoded else ""
        except (binascii.Error, UnicodeDecodeError):
            continue
    return values


def open_uploads(owner):
    """The unfinished, unexpired uploads of `owner`."""
    found = []
    for meta in folder().glob("*.json"):
        upload = _read(meta.stem)
        if upload is not None and upload.owner == owner and not upload.complete and upload.expires > utcnow():
            found.append(upload)
    return found


def create(owner, headers, target=""):
    """A new upload for `owner` from a creation request's headers (Upload-Length, Upload-Metadata)."""
    check_version(headers)
    length = declared_length(headers)
    if len(open_uploads(owner)) >= MAX_OPEN_PER_OWNER:
        raise TusError(429, MSG_TOO_MANY_OPEN)
    now = utcnow()
    upload = PartialUpload(id=secrets.token_urlsafe(18), owner=owner, length=length,
                           filename=metadata(headers).get("filename", "")[:200], target=str(target),
                           created_at=now.isoformat(), expires_at=(now + lifetime()).isoformat())
    part, _meta = _paths(upload.id)
    part.touch()
    _save(upload)
    return upload


def _read(upload_id):
    if not _ID_RE.match(upload_id or ""):
        return None
    _part, meta = _paths(upload_id)
    try:
        return PartialUpload(**json.loads(meta.read_text()))
    except (OSError, ValueError, TypeError):
        return None


def load(upload_id, owner):
    """The upload `upload_id` if it belongs to `owner` (404 otherwise, as if it did not exist); 410 if expired."""
    upload = _read(upload_id)
    if upload is None or not secrets.compare_digest(upload.owner, owner):
        raise TusError(404, MSG_NOT_FOUND)
    if upload.expires <= utcnow():
        remove(upload.id)
        raise TusError(410, MSG_GONE)
    return upload


def _checksum(header):
    """(algorithm name, expected digest) from Upload-Checksum, or None."""
    if not header:
        return None
    name, _sep, encoded = header.strip().partition(" ")
    if name not in CHECKSUMS:
        raise TusError(400, MSG_BAD_REQUEST)
    try:
        return name, base64.b64decode(encoded, validate=True)
    except binascii.Error:
        raise TusError(400, MSG_BAD_REQUEST) from None


def append(upload_id, owner, headers, stream, content_length):
    """Write one PATCH body at the upload's offset; returns the upload with its new offset.

    409 when Upload-Offset is not the server's, 460 when the checksum does not match (the bytes
    are dropped), 400 when the body would pass the declared length. Without a checksum, the bytes
    that arrived before a cut are kept (the client asks for the offset and goes on from there)."""
    check_version(headers)
    if headers.get("Content-Type", "").split(";")[0].strip() != OFFSET_TYPE:
        raise TusError(415, MSG_BAD_REQUEST)
    offset = headers.get("Upload-Offset", "")
    if not offset.isdigit():
        raise TusError(400, MSG_BAD_REQUEST)
    expected = _checksum(headers.get("Upload-Checksum"))
    with _locked(upload_id):
        upload = load(upload_id, owner)
        if int(offset) != upload.offset:
            raise TusError(409, MSG_OFFSET, upload_headers(upload))
        if content_length is None or content_length > upload.length - upload.offset:
            raise TusError(400, MSG_BAD_REQUEST, upload_headers(upload))
        digest = CHECKSUMS[expected[0]]() if expected else None
        part, _meta = _paths(upload.id)
        written = 0
        with open(part, "r+b") as handle:
            handle.seek(upload.offset)
            handle.truncate()
            while written < content_length:
                piece = stream.read(min(_READ, content_length - written))
                if not piece:
                    break
                handle.write(piece)
                written += len(piece)
                if digest:
                    digest.update(piece)
            if digest and (written != content_length or digest.digest() != expected[1]):
                handle.truncate(upload.offset)
                raise TusError(CHECKSUM_MISMATCH, MSG_CHECKSUM, upload_headers(upload))
            handle.flush()
            os.fsync(handle.fileno())
        upload.offset += written
        upload.expires_at = (utcnow() + lifetime()).isoformat()
        _save(upload)
        return upload


def read_bytes(upload):
    """The complete file's bytes."""
    part, _meta = _paths(upload.id)
    return part.read_bytes()


def record_result(upload, result):
    """Keep what the feature did with the complete file (e.g. the page's id); the bytes go."""
    with _locked(upload.id):
        upload.result = dict(result)
        _save(upload)
        part, _meta = _paths(upload.id)
        part.unlink(missing_ok=True)


def remove(upload_id):
    """Delete an upload's files (termination, expiry)."""
    if not _ID_RE.match(upload_id or ""):
        return
    part, meta = _paths(upload_id)
    for path in (part, meta, folder() / f"{upload_id}.lock"):
        path.unlink(missing_ok=True)


def terminate(upload_id, owner, headers):
    """DELETE: the client gives up an upload (termination extension)."""
    check_version(headers)
    with _locked(upload_id):
        load(upload_id, owner)
        remove(upload_id)


def purge_expired(now=None):
    """Remove expired uploads and stray files (a .part without its .json); returns how many uploads."""
    now = now or utcnow()
    count = 0
    base = folder()
    for meta in base.glob("*.json"):
        upload = _read(meta.stem)
        if upload is None or upload.expires <= now:
            remove(meta.stem)
            count += 1
    stale = (now - lifetime()).timestamp()
    for path in list(base.glob("*.part")) + list(base.glob("*.lock")) + list(base.glob("*.tmp")):
        if not (base / f"{path.name.split('.')[0]}.json").exists() and path.stat().st_mtime < stale:
            path.unlink(missing_ok=True)
    return count
