"""Receiving pages: the one pipeline of the draft's photo step, the supplement answer and the counter.

One way for all: each page is attached on its own (a refused page never costs the others),
the pages accepted are kept even when the answer reports a refusal, a busy server stops the
batch with 503 + Retry-After (upload.js retries by itself, the plain form says so), and a
parallel upload to the same dossier (another phone, a retry) is tried again instead of lost.
What attaching means is the caller's: attach(data, filename) runs the photo pipeline and keeps
the page where it belongs (dossiers/attachments.py attach_file, through the feature's service).

The answer depends on who asked: upload.js gets a fragment of the new pages (201) or a short
message; the plain form gets its page back with the messages, or a redirect when all went in.
"""
from dataclasses import dataclass, field

from flask import current_app, render_template, request
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from ..core.i18n import N_
from ..extensions import db
from ..files.photos import MSG_BUSY_RETRYING, PhotoError, UploadBusy
from ..web.unit_of_work import Conflict, keep_changes

ATTEMPTS = 3
MSG_RETRY_LATER = N_("Máy chủ đang bận, ảnh chưa được lưu. Vui lòng gửi lại.")


def is_script_upload():
    """The request comes from static/js/upload.js (it answers with a fragment, not a page)."""
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


def script_message(text, status):
    """A short message the upload script shows under the photo."""
    return text, status, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}


def busy_answer(page=None):
    """503 + Retry-After while the decoding slots are taken: the script retries, the form says so.

    `page` is the plain form's page (a response or a (body, status) pair) with the message shown
    and what was typed or already stored kept; without it the script's short message is sent."""
    headers = {"Retry-After": str(UploadBusy.retry_after), "Cache-Control": "no-store"}
    if page is None:
        body, _status, plain = script_message(_(MSG_BUSY_RETRYING), 503)
        return body, 503, {**plain, **headers}
    response = current_app.make_response(page)
    response.status_code = 503
    response.headers.update(headers)
    return response


@dataclass
class Received:
    added: list = field(default_factory=list)   # the DossierFile rows stored
    errors: list = field(default_factory=list)  # a message for each page refused
    busy: bool = False                          # the server was busy: the rest was not tried


def receive_pages(pages, attach, reload=None, always_named=False):
    """Attach each (filename, bytes) of `pages` with attach(data, filename) -> DossierFile.

    Pages refused (PhotoError) get a message; a busy server stops the batch. What was accepted is
    flushed and kept even if the answer is a refusal. A stale dossier (a parallel upload won)
    rolls back and tries again after reload() (which reloads what attach() works on and says
    whether it is still there), up to three times; then it is answered as a busy server (the
    script tries again by itself). A refusal names its file, except the script's single page
    (shown under that page already) unless `always_named`."""
    for _attempt in range(ATTEMPTS):
        received = Received()
        try:
            for number, (filename, data) in enumerate(pages):
                try:
                    received.added.append(attach(data, filename))
                except UploadBusy as error:
                    names = ", ".join(name for name, _data in pages[number:])
                    received.errors.append(_("%(name)s: %(message)s", name=names, message=str(error)))
                    received.busy = True
                    break
                except PhotoError as error:
                    message = _(str(error))
                    received.errors.append(message if is_script_upload() and len(pages) == 1 and not always_named else
                                           _("%(name)s: %(message)s", name=filename, message=message))
            db.session.flush()
        except StaleDataError:
            db.session.rollback()
            if reload is None or not reload():
                raise Conflict(MSG_RETRY_LATER) from None
            continue
        keep_changes()  # the pages accepted stay, whatever the answer says about the others
        return received
    return Received(errors=[_(MSG_RETRY_LATER)], busy=True)


def answer(received, fragment, page, done, **context):
    """The response to a batch of pages.

    `fragment` is the template of the new pages for upload.js (given `context` too); page(errors, status) is the plain
    form's page with the messages; done(count) flashes and sends the plain form on when every
    page went in."""
    if is_script_upload():
        if received.busy and not received.added:
            return busy_answer()
        if not received.added:
            return script_message(" ".join(received.errors), 422)
        return render_template(fragment, files=received.added, **context), 201, {"Cache-Control": "no-store"}
    if received.busy:  # the pages stored before the wait ran out are kept and listed on the page
        return busy_answer(page(received.errors, 503))
    if received.errors:
        return page(received.errors, 422)
    return done(len(received.added))
