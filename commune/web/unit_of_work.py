"""One unit of work per request: views change and flush, this commits once.

Every view is wrapped when the app is built (as indico's request handler does):
- the view returns an answer below 400: the session is committed, then whatever the view
  asked to run after the commit (`after_commit`, e.g. deleting files no row uses now);
- the view returns a refusal (400 and above): the session is rolled back, so a form that
  failed half-way leaves nothing behind. A view that must keep what it wrote while refusing
  (a failed login counts towards its back-off) says so with `keep_changes()`;
- a stale version (someone saved the same dossier first) or an integrity conflict (a
  duplicate the database refused) that the view did not handle: rolled back, the 409 page;
- any other exception: rolled back and raised to the error pages (errors.py).

A rule that refuses what was asked (a `DomainError` from a service: a move the life cycle does
not allow, a manifest that cannot be made) is not an error page: the view re-renders its form
with the message. It runs the service in `with refusal_rolls_back() as refusal:`; a refusal rolls
back everything the request changed, before the page is drawn, so the page shows what is stored
and nothing half-done is committed even when the view answers with a redirect. No view calls
`db.session.rollback()` itself (tests/foundation/test_unit_of_work.py keeps it so).

Views never call `db.session.commit()`; services flush. Sending mail and SMS waits for the
commit too (the outbox listens to it: notices/worker.py).
"""
from contextlib import contextmanager
from functools import wraps

from flask import current_app, g
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from ..core.domain_error import DomainError
from ..core.i18n import N_
from ..extensions import db
from .errors import render_error

CONFLICT_TITLE = N_("Có thay đổi cùng lúc")
CONFLICT_MESSAGE = N_("Người khác vừa lưu cùng nội dung này. Vui lòng tải lại trang rồi thử lại.")


class Conflict(Exception):
    """Raised by a view to give up on a conflict it found: answered like a stale version (409)."""


def keep_changes():
    """Commit this request's changes even though the answer is a refusal (status 400 and above)."""
    g.unit_of_work_keep = True


def after_commit(callback):
    """Run callback() once this request's changes are committed (never if they are rolled back)."""
    g.setdefault("unit_of_work_after", []).append(callback)


class Refusal:
    """What `refusal_rolls_back()` caught: `error` is the refusal, None when the block went through."""

    error = None

    def __bool__(self):
        return self.error is not None


@contextmanager
def refusal_rolls_back(*kinds):
    """Run a service in the block; if it raises one of `kinds` (any DomainError by default), roll back
    everything this request changed and keep the error on the yielded Refusal, for the view to re-render
    its form with the message. The block's changes are flushed at its end, so a conflict the database
    finds (IntegrityError, StaleDataError, when listed in `kinds`) is caught here too."""
    kinds = kinds or (DomainError,)
    refusal = Refusal()
    try:
        yield refusal
        db.session.flush()
    except kinds as error:
        db.session.rollback()
        g.pop("unit_of_work_after", None)  # what was queued for the commit went with the rollback
        refusal.error = error


def _finish(response):
    keep = response.status_code < 400 or g.pop("unit_of_work_keep", False)
    callbacks = g.pop("unit_of_work_after", [])
    if not db.session.registry.has():  # the view never touched the database (a page from memory)
        if keep:
            for callback in callbacks:
                callback()
        return response
    if not keep:
        db.session.rollback()
        return response
    db.session.commit()
    for callback in callbacks:
        callback()
    return response


def unit_of_work(view):
    """Wrap one view in the request's unit of work (see the module's docstring)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        try:
            response = current_app.make_response(view(*args, **kwargs))
            return _finish(response)
        except (StaleDataError, IntegrityError, Conflict):
            db.session.rollback()
            g.pop("unit_of_work_after", None)
            return current_app.make_response(render_error(409, CONFLICT_TITLE, CONFLICT_MESSAGE))
        except BaseException:
            db.session.rollback()
            g.pop("unit_of_work_after", None)
            raise

    wrapped.unit_of_work = True
    return wrapped


def init_app(app):
    """Wrap every view registered so far (call after the blueprints)."""
    for endpoint, view in list(app.view_functions.items()):
        if endpoint != "static" and not getattr(view, "unit_of_work", False):
            app.view_functions[endpoint] = unit_of_work(view)
