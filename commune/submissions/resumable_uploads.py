"""The tus endpoints' HTTP side, shared by the draft's photo step and the supplement answer.

files/resumable.py keeps the bytes and the protocol's rules; this module answers the requests
of one upload for one owner (the views load the draft or dossier, check access and pass
`owner`), and hands the complete file to the same page pipeline as every other upload
(page_uploads.receive_pages: one page, refused with a message, the same file twice kept once).

The final PATCH answers 204 like any other; the script then GETs the upload's URL for the
outcome: the page's fragment (200), the refusal (422), or a busy server (503 + Retry-After,
the pipeline runs again on the next GET).
"""
from flask import current_app, render_template, request
from flask_babel import gettext as _

from ..files import resumable
from .page_uploads import busy_answer, receive_pages


def _text(body, status, headers=None):
    return body, status, {**resumable.base_headers(), "Content-Type": "text/plain; charset=utf-8", **(headers or {})}


def refusal(error):
    """A TusError as a short Vietnamese text the script shows."""
    return _text(str(error), error.status, error.headers)


def options_answer():
    """OPTIONS: what this server offers (it names no draft or dossier, so anyone may ask)."""
    return "", 204, resumable.options_headers()


def create_upload(owner, target, location):
    """POST (creation); `location(upload_id)` is the new upload's URL.

    Refused before any byte is stored when the file, the address's day, the site's partial uploads
    or the disk has no room for its declared length (files/resumable.py)."""
    try:
        upload = resumable.create(owner, request.headers, target)
    except resumable.TusError as error:
        return refusal(error)
    return "", 201, {**resumable.upload_headers(upload), "Location": location(upload.id)}


def serve_upload(upload_id, owner, attach, fragment):
    """HEAD (offset), PATCH (bytes), DELETE (termination) and GET (outcome) of one upload.

    attach(data, filename, target) -> DossierFile stores the complete file; fragment(file_id) is
    the page's HTML for the script, or None when the page is no longer there. An id not of the
    shape the server makes is 404 before any file is looked for."""
    if not resumable.valid_id(upload_id):
        return refusal(resumable.TusError(404, resumable.MSG_NOT_FOUND))
    try:
        if request.method == "HEAD":
            resumable.check_version(request.headers)
            upload = resumable.load(upload_id, owner)
            return "", 200, resumable.upload_headers(upload)
        if request.method == "DELETE":
            resumable.terminate(upload_id, owner, request.headers)
            return "", 204, resumable.base_headers()
        if request.method == "PATCH":
            upload = resumable.append(upload_id, owner, request.headers, request.stream, request.content_length)
            if upload.complete and not upload.result:
                _finish(upload, attach)
            return "", 204, resumable.upload_headers(upload)
        upload = resumable.load(upload_id, owner)
    except resumable.TusError as error:
        return refusal(error)
    if not upload.complete:
        return _text(_("Tệp chưa gửi xong."), 409, resumable.upload_headers(upload))
    if not upload.result:
        _finish(upload, attach)
    if upload.result.get("error"):
        return _text(upload.result["error"], 422)
    if not upload.result.get("file_id"):
        return busy_answer()
    html = fragment(upload.result["file_id"])
    if html is None:  # the page was removed since
        return _text(_("Trang này đã bị xóa."), 410)
    return html, 200, {"Cache-Control": "no-store"}


def _finish(upload, attach):
    """Run the page pipeline on the complete file once; a busy server leaves it for the next GET.

    The declared length counted at creation is given back first: the stored pages count instead."""
    resumable.release_reservation(upload)
    data = resumable.read_bytes(upload)
    received = receive_pages([(upload.filename, data)], lambda d, name: attach(d, name, upload.target))
    if received.added:
        resumable.record_result(upload, {"file_id": received.added[0].id})
    elif received.errors and not received.busy:
        resumable.record_result(upload, {"error": " ".join(received.errors)})
    current_app.logger.info("resumable upload %s complete: %s", upload.id, upload.result or "busy")


def uploaded_fragment(template, row):
    """The page's <li> for the script (as the one-shot upload answers)."""
    return render_template(template, files=[row])
