"""One dossier: its page, its actions (each checked for role, state and version), the photo viewer."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from ..accounts.permissions import roles_required
from ..core.calendar import WorkingCalendar, parse_cutoff
from ..core.roles import DOSSIER_READERS
from ..core.timeutil import utcnow
from ..dossiers.access import staff_dossier
from ..dossiers.documents import log_document_view
from ..dossiers.rules import cutoff_text, processing_days
from ..dossiers.states import TransitionError
from ..web.converters import db_id
from ..web.unit_of_work import refusal_rolls_back
from . import bp, presenters, queries, tabs
from .actions import ACTIONS, MAIN, SIDE
from .services import ActionError, Conflict, check_version

ZOOMS = (1, 2, 3, 4)
TURNS = (0, 90, 180, 270)


def make_form(action, dossier, submitted=False):
    """The action's form, prefixed (several on one page), with its dynamic choices."""
    form = action.form(prefix=action.key) if submitted else action.form(prefix=action.key, formdata=None)
    if hasattr(form, "set_documents"):
        form.set_documents(dossier)
    if hasattr(form, "set_staff"):
        form.set_staff(queries.assignable_staff())
    return form


def _stamp(form, dossier, seen):
    form.version.data = str(dossier.version)
    form.seen.data = str(seen)


def render_dossier(dossier, bound=None, conflict=None, status=200):
    """The dossier page with a form for each action this user may take now."""
    seen = queries.last_event_id(dossier)
    forms = {}
    held_back = []  # (label, why) of actions this user could take in this state but a rule holds back
    for key in MAIN + SIDE:
        action = ACTIONS[key]
        if not dossier.can_act(current_user, action):
            if dossier.can_act(current_user, action, whatever_the_state=True) and (why := action.why_not(dossier)):
                held_back.append((action.label, why))
            continue
        form = bound[1] if bound and bound[0] == key else make_form(action, dossier)
        if key == "checklist" and not (bound and bound[0] == key):
            form.checked.data = sorted(presenters.checklist_state(dossier))
        _stamp(form, dossier, seen)
        forms[key] = form
    html = render_template(
        "inbox/dossier.html", dossier=dossier, forms=forms, actions=ACTIONS, main=MAIN, side=SIDE,
        open_action=bound[0] if bound else None, conflict=conflict, held_back=held_back,
        groups=presenters.file_groups(dossier), results=presenters.result_files(dossier),
        answers=presenters.form_answers(dossier), timeline=presenters.timeline(dossier),
        views=presenters.document_views(dossier), file_url=presenters.file_url,
        checked=presenters.checklist_state(dossier), ctx=tabs.Context(),
        due_state=queries.due_state, due_if_received_now=_due_preview(dossier) if "receive" in forms else None,
    )
    return html, status


def _due_preview(dossier):
    """The due date the dossier would get if received now (shown on the receive button)."""

    return WorkingCalendar.load().due_date(utcnow(), processing_days(dossier), parse_cutoff(cutoff_text()))


@bp.route("/hop-thu/ho-so/<int:dossier_id>")
@roles_required(*DOSSIER_READERS)
def dossier(dossier_id):
    """The dossier page; opening it is logged as a view of the villager's documents."""
    dossier = staff_dossier(dossier_id)
    log_document_view(dossier, current_user)
    return render_dossier(dossier)


def refuse_action(dossier, action):
    """403 for a role that may not take `action`; the dossier page with a 409 and the reason when
    its state does not allow it; None when the action may go on."""
    if not dossier.can_act(current_user, action, whatever_the_state=True):
        abort(403)
    if action.state_allows(dossier):
        return None
    reason = action.why_not(dossier)
    flash(str(reason) if reason else _("Hồ sơ đang ở trạng thái “%(status)s”: không thể “%(action)s”.",
                                       status=_(dossier.status_label), action=action.label))
    return render_dossier(dossier, status=409)


@bp.route("/hop-thu/ho-so/<int:dossier_id>/thao-tac/<key>", methods=["POST"])
@roles_required(*DOSSIER_READERS)
def act(dossier_id, key):
    """Run one action: 403 for a role that may not, 409 for a state that does not allow it or a conflict."""
    action = ACTIONS.get(key) or abort(404)
    dossier = staff_dossier(dossier_id)
    refused = refuse_action(dossier, action)
    if refused is not None:
        return refused
    form = make_form(action, dossier, submitted=True)
    if not form.validate_on_submit():
        return render_dossier(dossier, bound=(key, form), status=400)
    with refusal_rolls_back(Conflict, StaleDataError, ActionError, TransitionError) as refusal:
        check_version(dossier, form.version.data or None, _int(form.seen.data))
        action.service(dossier, current_user, form)
    if refusal:
        return _refused(dossier_id, key, form, refusal.error)
    flash(_("Đã lưu: %(action)s.", action=action.label))
    if action.printable:
        return redirect(url_for(action.printable, dossier_id=dossier.id, **{"print": 1}))
    return redirect(url_for("inbox.dossier", dossier_id=dossier.id))


def _refused(dossier_id, key, form, error):
    """The dossier page again after a refused action (everything it changed rolled back): 409 for
    someone else's change or a state that does not allow it, 400 with the rule's message by its field."""
    dossier = staff_dossier(dossier_id)
    if isinstance(error, Conflict):
        return render_dossier(dossier, bound=(key, form), conflict=error.events, status=409)
    if isinstance(error, StaleDataError):
        events = queries.events_since(dossier, _int(form.seen.data))
        return render_dossier(dossier, bound=(key, form), conflict=events, status=409)
    if isinstance(error, TransitionError):
        flash(_("Không thể thực hiện thao tác này ở trạng thái hiện tại."))
        return render_dossier(dossier, status=409)
    if error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, error.message]
    else:
        form.form_errors.append(error.message)
    return render_dossier(dossier, bound=(key, form), status=400)


def _int(value):
    try:
        return db_id(value)
    except (TypeError, ValueError):
        return 0


@bp.route("/hop-thu/ho-so/<int:dossier_id>/anh/<int:file_id>")
@roles_required(*DOSSIER_READERS)
def viewer(dossier_id, file_id):
    """A page at full size with zoom and rotation (links work without JavaScript; JS avoids reloads)."""
    dossier = staff_dossier(dossier_id)
    files = presenters.all_files(dossier)
    position = next((i for i, f in enumerate(files) if f.id == file_id), None)
    if position is None:
        abort(404)
    zoom = request.args.get("z", type=int)
    turn = request.args.get("r", type=int)
    zoom = zoom if zoom in ZOOMS else 1
    turn = turn if turn in TURNS else 0
    log_document_view(dossier, current_user)
    return render_template(
        "inbox/viewer.html", dossier=dossier, file=files[position], zoom=zoom, turn=turn,
        previous=files[position - 1] if position > 0 else None,
        next=files[position + 1] if position + 1 < len(files) else None,
        position=position + 1, total=len(files), file_url=presenters.file_url, zooms=ZOOMS,
        documents=presenters.documents_of(dossier),
    )
