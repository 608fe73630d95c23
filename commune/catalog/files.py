"""Serving blank forms (tờ khai) the admin attached: the right type, a safe download name."""
import io
import mimetypes
import re
import unicodedata

from flask import abort, send_file

from ..files.storage import StorageError, get_storage

# Types a blank form may have; anything else is sent as a plain download so no browser runs it.
SAFE_TYPES = frozenset({
    "application/pdf",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/rtf",
    "text/plain",
    "image/png",
    "image/jpeg",
    "application/zip",
})
_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|;]+')


def safe_filename(name, fallback):
    """A download name without path parts, quotes or control characters (Vietnamese letters kept)."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip(" ._")[:120]
    return name or fallback


def download_type(form):
    """The stored type when it is one a blank form may have, else a plain binary download."""
    mime = (form.mime or "").split(";")[0].strip().lower()
    return mime if mime in SAFE_TYPES else "application/octet-stream"


def blank_form_response(form):
    """The file as an attachment (never shown inline), cacheable by the browser for a day."""
    try:
        data = get_storage().open(form.storage_key)
    except StorageError:
        abort(404)
    mime = download_type(form)
    extension = mimetypes.guess_extension(mime) or ""
    name = safe_filename(form.filename, f"mau-{form.id}{extension}")
    response = send_file(io.BytesIO(data), mimetype=mime, as_attachment=True, download_name=name,
                         etag=form.storage_key[:32], max_age=86400, conditional=True)
    return response
