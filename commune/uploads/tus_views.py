"""Resumable uploads (tus 1.0) over HTTP: one set of views for every owner of an upload.

files/resumable.py keeps the bytes and the protocol's rules and knows no dossier. Here each
feature routes the same two views on its own blueprint with `resumable_routes`, saying who owns
the upload and who may reach it: the villager's draft ("draft:<id>", submissions), one open
supplement round of a dossier ("supplement:<id>:<round>", tracking), the clerk's counter batch
("counter:<clerk>:<batch>", inbox). A visitor who does not reach the owner gets the feature's
refusal (404 as if the upload did not exist, or a short message), before any file is looked for.

The complete file goes through the same page pipeline as every other upload (pages.receive_pages:
one page, refused with a message, the same file twice kept once). The final PATCH answers 204
like any other; the script then GETs the upload's URL for the outcome: the page's fragment (200),
the refusal (422), or a busy server (503 + Retry-After, the pipeline runs again on the next GET).
"""
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app, render_template, request, url_for
from flask_babel import gettext as _

from ..extensions import limiter
from ..files import resumable
from .budgets import resumable_limit, upload_limit
from .pages import busy_answer, receive_pages


@dataclass
class Opening:
    """A new upload the visitor may open: its owner, what it is for, the upload URL's arguments."""
    owner: str
    target: str
    url_args: dict = field(default_factory=dict)


@dataclass
class Reach:
    """The owner of an upload as this visitor reaches it: where the complete file goes, how it is shown."""
    owner: str
    attach: Callable        # attach(data, filename, target) -> DossierFile (raises PhotoError)
    page: Callable          # page(file_id) -> the stored page while it is still the owner's, else None
    fragment: str           # the template of that page for the script (given `files=[page]`)
    context: dict = field(default_factory=dict)  # the template's other values

    def render(self, file_id):
        row = self.page(file_id)
        return None if row is None else render_template(self.fragment, files=[row], **self.context)


def resumable_routes(bp, create_rule, upload_rule, opening, reach, prefix="", guard=None, limit_creation=True):
    """Route tus creation (`<prefix>tus_create`) and one upload (`<prefix>tus_upload`) on `bp`.

    opening(**create_args) -> Opening, or a response refusing it; reach(**upload_args) -> Reach,
    or a response refusing it (the upload's id is not passed on). `guard` wraps both views (the
    counter's role check); `limit_creation` counts creations against the address's upload rate."""
    create_endpoint, upload_endpoint = f"{prefix}tus_create", f"{prefix}tus_upload"

    def create(**args):
        """Open a resumable upload for its owner (tus creation); OPTIONS says what the server offers."""
        if request.method == "OPTIONS":
            return options_answer()
        opened = opening(**args)
        if not isinstance(opened, Opening):
            return opened
        return create_upload(opened.owner, opened.target, lambda upload_id: url_for(
            f"{bp.name}.{upload_endpoint}", upload_id=upload_id, **opened.url_args))

    def upload(upload_id, **args):
        """One resumable upload of its owner: its offset, its next bytes, its end, its outcome."""
        reached = reach(**args)
        if not isinstance(reached, Reach):
            return reached
        return serve_upload(upload_id, reached.owner, reached.attach, reached.render)

    # Each view its own name: Flask-Limiter keeps a view's limits under its module and name.
    create.__name__ = create.__qualname__ = create_endpoint
    upload.__name__ = upload.__qualname__ = upload_endpoint
    if guard is not None:
        create, upload = guard(create), guard(upload)
    if limit_creation:
        create = limiter.limit(upload_limit, methods=["POST"])(create)
    upload = limiter.limit(resumable_limit)(upload)
    bp.add_url_rule(create_rule, create_endpoint, create, methods=["POST", "OPTIONS"])
    bp.add_url_rule(upload_rule, upload_endpoint, upload, methods=["GET", "HEAD", "PATCH", "DELETE"])


def sweep_partial_uploads():
    """Remove expired partial uploads, at most every few minutes, whatever the request (no cron needed)."""
    resumable.sweep_if_due()


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
