"""Resumable uploads, tus 1.0 (tus.io): the protocol's mechanics and the limits of what they hold.

Core, creation, termination, checksum (sha1, md5, sha256) and expiration. This module knows
no dossier: each upload carries an `owner` string (e.g. "draft:12") that the feature's views
compare with the visitor's own object before answering, and a `result` the views write when
the complete file went through the photo pipeline. The partial files, their locks and their
expiry are files/partial_uploads.py's.

Every number read from a header is ASCII digits within a bound (core/numbers.py). A creation is
refused before any byte is stored when its declared Upload-Length
- passes COMMUNE_RESUMABLE_MAX_MB (413);
- would pass the address's daily budget, which counts it at once (413, files/upload_guard.py);
- would take the partial uploads of the whole site past COMMUNE_RESUMABLE_TOTAL_MB, or the disk
  below its free-space floor (507 + Retry-After: the client tries again later);
or when the draft already holds MAX_OPEN_PER_OWNER unfinished uploads, or the address
COMMUNE_RESUMABLE_OPEN_PER_ADDRESS (429). A PATCH must start at the server's offset (409
otherwise), must not pass the declared length, must leave the disk above its floor (507), and
with Upload-Checksum is kept only if the digest matches (460 otherwise).
"""
import base64
import binascii
import hashlib
import os
import secrets
from datetime import UTC
from email.utils import format_datetime

from flask import current_app
from flask_babel import gettext as _

from ..core.i18n import N_
from ..core.numbers import ascii_int
from ..core.timeutil import utcnow
from . import upload_guard
from .partial_uploads import (  # noqa: F401 - purge_expired, sweep_if_due, valid_id: for the views and the CLI
    PartialUpload,
    creating,
    lifetime,
    live_uploads,
    locked,
    paths,
    purge_expired,
    read,
    remove,
    save,
    sweep_if_due,
    valid_id,
)

TUS_VERSION = "1.0.0"
EXTENSIONS = "creation,termination,checksum,expiration"
CHECKSUMS = {"sha1": hashlib.sha1, "md5": hashlib.md5, "sha256": hashlib.sha256}
OFFSET_TYPE = "application/offset+octet-stream"
DEFAULT_MAX_MB = 30  # a camera original (files/photos.py MAX_IMAGE_BYTES)
DEFAULT_OPEN_PER_ADDRESS = 20
MAX_OPEN_PER_OWNER = 10  # unfinished uploads one draft or dossier may hold at once
MAX_HEADER_NUMBER = 10**15 - 1  # Upload-Length and Upload-Offset: 15 digits at most
CHECKSUM_MISMATCH = 460
INSUFFICIENT_STORAGE = 507
RETRY_SECONDS = 60
_READ = 64 * 1024

MSG_TOO_BIG = N_("Tệp quá lớn (tối đa {mb} MB). Hãy chụp lại ảnh hoặc gửi tệp nhỏ hơn.")
MSG_NO_LENGTH = N_("Thiếu kích thước tệp. Hãy tải lại trang rồi gửi lại.")
MSG_GONE = N_("Phần tệp đã gửi dở đã hết hạn. Hãy chọn lại tệp để gửi lại từ đầu.")
MSG_NOT_FOUND = N_("Không tìm thấy phần tệp đã gửi dở. Hãy chọn lại tệp.")
MSG_OFFSET = N_("Vị trí gửi tiếp không khớp với máy chủ. Đang gửi tiếp từ chỗ máy chủ đã nhận.")
MSG_CHECKSUM = N_("Phần tệp vừa gửi bị lỗi trên đường truyền. Đang gửi lại phần đó.")
MSG_TOO_MANY_OPEN = N_("Đang có quá nhiều tệp gửi dở. Hãy chờ các tệp đó gửi xong rồi thử lại.")
MSG_BAD_REQUEST = N_("Yêu cầu gửi tệp không hợp lệ. Hãy tải lại trang rồi gửi lại.")
MSG_SITE_FULL = N_("Máy chủ đang nhận quá nhiều tệp cùng lúc. Tệp sẽ được gửi lại sau ít phút.")


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


def _mb_setting(name, default):
    value = current_app.config.get(name)
    return int(default if value is None else value) * 1024 * 1024


def max_bytes():
    """The largest Upload-Length accepted (COMMUNE_RESUMABLE_MAX_MB)."""
    return _mb_setting("COMMUNE_RESUMABLE_MAX_MB", DEFAULT_MAX_MB)


def total_bytes():
    """What all partial uploads together may hold (COMMUNE_RESUMABLE_TOTAL_MB; unset: a quarter of
    the free-space floor, never less than one largest file)."""
    if current_app.config.get("COMMUNE_RESUMABLE_TOTAL_MB") is not None:
        return _mb_setting("COMMUNE_RESUMABLE_TOTAL_MB", 0)
    return max(upload_guard.min_free_bytes() // 4, max_bytes())


def open_per_address():
    """Unfinished uploads one address may hold at once (COMMUNE_RESUMABLE_OPEN_PER_ADDRESS)."""
    value = current_app.config.get("COMMUNE_RESUMABLE_OPEN_PER_ADDRESS")
    return int(DEFAULT_OPEN_PER_ADDRESS if value is None else value)


def _no_room(message):
    return TusError(INSUFFICIENT_STORAGE, message, {"Retry-After": str(RETRY_SECONDS)})


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
    length = ascii_int(headers.get("Upload-Length", ""), MAX_HEADER_NUMBER)
    if length is None:
        raise TusError(400, MSG_NO_LENGTH)
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


def _check_limits(owner, client, length):
    """Refuse a new upload of `length` bytes for `owner` from `client` (see the module's docstring)."""
    live = live_uploads()  # the expired ones go first: they hold no one's place
    unfinished = [upload for upload in live if not upload.complete]
    if sum(1 for upload in unfinished if upload.owner == owner) >= MAX_OPEN_PER_OWNER:
        raise TusError(429, MSG_TOO_MANY_OPEN, {"Retry-After": str(RETRY_SECONDS)})
    if client and sum(1 for upload in unfinished if upload.client == client) >= open_per_address():
        raise TusError(429, MSG_TOO_MANY_OPEN, {"Retry-After": str(RETRY_SECONDS)})
    held = sum(upload.length for upload in live if upload.holds_bytes)
    if held + length > total_bytes():
        current_app.logger.warning("resumable upload refused: partial uploads hold %d MB (cap %d MB)",
                                   held // (1024 * 1024), total_bytes() // (1024 * 1024))
        raise _no_room(MSG_SITE_FULL)


def create(owner, headers, target=""):
    """A new upload for `owner` from a creation request's headers (Upload-Length, Upload-Metadata).

    Its declared length is counted against the address's daily budget before its files are made."""
    check_version(headers)
    length = declared_length(headers)
    client = upload_guard.client_address()
    with creating():
        _check_limits(owner, client, length)
        try:
            charged_on = upload_guard.reserve(length)
        except upload_guard.DiskFull:
            raise _no_room(upload_guard.MSG_DISK_FULL) from None
        except upload_guard.BudgetSpent:
            raise TusError(413, upload_guard.MSG_BUDGET,
                           mb=upload_guard.daily_budget_bytes() // (1024 * 1024)) from None
        now = utcnow()
        upload = PartialUpload(id=secrets.token_urlsafe(18), owner=owner, length=length,
                               filename=metadata(headers).get("filename", "")[:200], target=str(target),
                               created_at=now.isoformat(), expires_at=(now + lifetime()).isoformat(),
                               client=client, charged_on=charged_on, charged=length if charged_on else 0)
        part, _meta = paths(upload.id)
        part.touch()
        save(upload)
    return upload


def load(upload_id, owner):
    """The upload `upload_id` if it belongs to `owner` (404 otherwise, as if it did not exist); 410 if expired."""
    upload = read(upload_id)
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
    are dropped), 400 when the body would pass the declared length, 507 when it would take the
    disk below its floor. Without a checksum, the bytes that arrived before a cut are kept (the
    client asks for the offset and goes on from there)."""
    check_version(headers)
    if headers.get("Content-Type", "").split(";")[0].strip() != OFFSET_TYPE:
        raise TusError(415, MSG_BAD_REQUEST)
    offset = ascii_int(headers.get("Upload-Offset", ""), MAX_HEADER_NUMBER)
    if offset is None:
        raise TusError(400, MSG_BAD_REQUEST)
    expected = _checksum(headers.get("Upload-Checksum"))
    with locked(upload_id) as found:
        if not found:
            raise TusError(404, MSG_NOT_FOUND)
        upload = load(upload_id, owner)
        if offset != upload.offset:
            raise TusError(409, MSG_OFFSET, upload_headers(upload))
        if upload.complete or content_length is None or content_length > upload.length - upload.offset:
            raise TusError(400, MSG_BAD_REQUEST, upload_headers(upload))
        if upload_guard.free_bytes() - content_length < upload_guard.min_free_bytes():
            current_app.logger.warning("resumable upload paused: the data disk is at its free-space floor")
            raise _no_room(upload_guard.MSG_DISK_FULL)
        digest = CHECKSUMS[expected[0]]() if expected else None
        part, _meta = paths(upload.id)
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
        save(upload)
        return upload


def read_bytes(upload):
    """The complete file's bytes."""
    part, _meta = paths(upload.id)
    return part.read_bytes()


def release_reservation(upload, keep=0):
    """Give the address back what its creation counted, but `keep` bytes (once; flush only).

    On completion the stored pages are counted instead (keep 0); on termination the bytes that
    were sent stay counted (keep = offset)."""
    with locked(upload.id) as found:
        current = read(upload.id) if found else None
        if current is None or not current.charged:
            return
        upload_guard.refund(current.client, current.charged_on, current.charged - keep)
        current.charged = upload.charged = 0
        save(current)


def record_result(upload, result):
    """Keep what the feature did with the complete file (e.g. the page's id); the bytes go."""
    with locked(upload.id) as found:
        if not found:
            return
        upload.result = dict(result)
        save(upload)
        part, _meta = paths(upload.id)
        part.unlink(missing_ok=True)


def terminate(upload_id, owner, headers):
    """DELETE: the client gives up an upload (termination extension); the bytes it sent stay counted."""
    check_version(headers)
    upload = load(upload_id, owner)
    release_reservation(upload, keep=upload.offset)
    with locked(upload_id) as found:
        if not found:
            raise TusError(404, MSG_NOT_FOUND)
        load(upload_id, owner)
        remove(upload_id)
