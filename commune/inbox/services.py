"""Every clerk action on a dossier: one function each, one transition or event each (flush, never commit)."""
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..core.calendar import WorkingCalendar
from ..core.domain_error import DomainError
from ..core.roles import OFFICER
from ..core.settings import get_settings
from ..core.timeutil import local_today
from ..dossiers import official_code
from ..dossiers.attachments import attach_file
from ..dossiers.events import EventKind
from ..dossiers.models import SupplementRequest
from ..dossiers.rules import due_from
from ..dossiers.states import Status
from ..dossiers.workflow import record_event, transition
from ..extensions import db
from .queries import events_since
from .tabs import RUNNING

# The commune's rule for a second supplement request (admin settings page, key SUPPLEMENT_RULE):
# by default a second request goes through when the clerk writes why; "once only" refuses it.
SUPPLEMENT_RULE = "supplement_rule"
SECOND_WITH_REASON = "second_with_reason"
ONCE_ONLY = "once_only"
SUPPLEMENT_ONCE_REFUSAL = _l("Hồ sơ này đã được yêu cầu bổ sung một lần. Xã quy định mỗi hồ sơ chỉ được yêu cầu "
                             "bổ sung một lần, nên không thể yêu cầu bổ sung lần nữa.")


class ActionError(DomainError):
    """A business rule refused the action; the message is shown next to the form."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


class Conflict(Exception):
    """Someone else changed the dossier since the clerk loaded it."""

    def __init__(self, events):
        super().__init__("dossier changed")
        self.events = events


def check_version(dossier, version, seen_event_id):
    """Refuse to act on a dossier that changed since the form was rendered (optimistic locking)."""
    if version is None or int(version) != dossier.version:
        raise Conflict(events_since(dossier, seen_event_id))


def receive(dossier, actor, note=""):
    """Accept the dossier: received now, due date counted in working days from now."""
    event = transition(dossier, Status.RECEIVED, actor, note=note or _("Đã tiếp nhận hồ sơ."))
    dossier.received_at = event.at
    official_code.assign(dossier, event.at)
    dossier.due_date = due_from(dossier, event.at)
    dossier.has_new_supplement = False
    if not dossier.receiving_unit:

        dossier.receiving_unit = get_settings().get("receiving_unit", "")
    event.data = {"due_date": dossier.due_date.isoformat() if dossier.due_date else None}
    db.session.flush()
    return event


def supplement_once_only():
    """Has the commune chosen exactly one supplement request per dossier (no second, whatever the reason)?"""
    return get_settings().get(SUPPLEMENT_RULE) == ONCE_ONLY


def supplement_allowed(dossier):
    """May a supplement be asked for now? Always the first time; again only if the commune allows a second."""
    return dossier.supplement_count < 1 or not supplement_once_only()


def request_supplement(dossier, actor, items, message, reason_for_another=""):
    """Ask once, in writing, for everything missing (Form 02); the clock stops until the answer."""
    if not supplement_allowed(dossier):
        raise ActionError(SUPPLEMENT_ONCE_REFUSAL)
    if not items:
        raise ActionError(_("Đánh dấu ít nhất một giấy tờ còn thiếu."), "items")
    if dossier.supplement_count >= 1 and not (reason_for_another or "").strip():
        raise ActionError(_("Hồ sơ này đã được yêu cầu bổ sung một lần. Quy định chỉ yêu cầu bổ sung "
                            "một lần; nếu thật sự cần, ghi rõ lý do yêu cầu lần nữa."), "reason_for_another")
    number = dossier.supplement_count + 1
    event = transition(dossier, Status.NEEDS_SUPPLEMENT, actor, note=message)
    request = SupplementRequest(dossier=dossier, round=number, items=items, message=message,
                                reason_for_another=(reason_for_another or "").strip(),
                                requested_at=event.at, requested_by_id=actor.id)
    db.session.add(request)
    dossier.supplement_count = number
    dossier.has_new_supplement = False
    event.data = {"round": number, "items": items}
    db.session.flush()
    return request


def refuse(dossier, actor, reason):
    """Refuse the dossier with a written reason (Form 03)."""
    event = transition(dossier, Status.REFUSED, actor, note=reason)
    event.data = {"reason": reason}
    dossier.has_new_supplement = False
    db.session.flush()
    return event


def assign(dossier, actor, assignee):
    """Hand the dossier to an officer (staff-only event)."""
    dossier.assignee_id = assignee.id
    event = record_event(dossier, EventKind.ASSIGN, actor, note=_("Giao cho %(name)s", name=assignee.full_name),
                         public=False, data={"assignee_id": assignee.id, "name": assignee.full_name})
    db.session.flush()
    return event


def start_processing(dossier, actor, note=""):
    """The officer starts working on a received dossier."""
    if dossier.assignee_id is None and actor.role == OFFICER:  # an officer who starts it takes it
        dossier.assignee_id = actor.id
    event = transition(dossier, Status.PROCESSING, actor, note=note or _("Đang giải quyết hồ sơ."))
    db.session.flush()
    return event


def mark_ready(dossier, actor, note="", result=None):
    """The result is ready to return, with its electronic copy when the clerk attaches one: a PDF or
    photos of the signed paper, which the villager downloads from the tracking page (tracking/results.py)."""
    uploads = result if isinstance(result, list | tuple) else [result]
    pages = 0
    for upload in uploads:
        if upload is None or not getattr(upload, "filename", ""):
            continue
        try:
            attach_file(dossier, upload.read(), upload.filename, round=-1, purpose="result")
        except ValueError as error:
            raise ActionError(str(error) or _("Tệp kết quả không hợp lệ."), "result") from error
        pages += 1
    event = transition(dossier, Status.READY, actor, note=note or _("Đã có kết quả."))
    dossier.ready_at = event.at
    dossier.has_new_supplement = False
    if pages:
        # What the copy is worth as the office said when it was issued (the procedure may change later).
        procedure = dossier.procedure
        event.data = {"result_pages": pages, "result_copy": getattr(procedure, "result_copy", "") or "reference"}
    db.session.flush()
    return event


def return_at_desk(dossier, actor, collected_by, note=""):
    """The villager (or someone for them) collected the result at the desk."""
    text = _("Đã trả kết quả tại bộ phận một cửa cho %(name)s.", name=collected_by)
    event = transition(dossier, Status.RETURNED, actor, note=f"{text} {note}".strip())
    event.data = {"collected_by": collected_by}
    db.session.flush()
    return event


def is_late(dossier, today=None):
    """Due today or earlier while the clock runs: time to apologise and set a new date (Form 04)."""
    return (dossier.status in RUNNING and dossier.due_date is not None
            and dossier.due_date <= (today or local_today()))


def apologise(dossier, actor, new_due, reason):
    """Apologise for the delay and set a new working-day due date (public event 'apology')."""
    today = local_today()
    if not is_late(dossier, today):
        raise ActionError(_("Hồ sơ chưa đến hạn trả, chưa cần xin lỗi."))
    if not isinstance(new_due, date) or new_due <= today:
        raise ActionError(_("Ngày hẹn mới phải sau hôm nay."), "new_due")
    if not WorkingCalendar.load().is_working_day(new_due):
        raise ActionError(_("Ngày hẹn mới phải là ngày làm việc."), "new_due")
    old = dossier.due_date
    if dossier.missed_due_date is None:
        dossier.missed_due_date = old
    dossier.due_date = new_due
    event = record_event(dossier, EventKind.APOLOGY, actor, note=reason, public=True,
                         data={"new_due": new_due.isoformat(), "old_due": old.isoformat() if old else None})
    db.session.flush()
    return event


def withdraw(dossier, actor, reason):
    """Withdraw the dossier at the villager's request."""
    event = transition(dossier, Status.WITHDRAWN, actor, note=reason)
    event.data = {"requested_by": "villager"}
    dossier.has_new_supplement = False
    db.session.flush()
    return event


def add_note(dossier, actor, text):
    """An internal note: staff only."""
    event = record_event(dossier, EventKind.NOTE, actor, note=text, public=False)
    db.session.flush()
    return event


def send_message(dossier, actor, text):
    """A message to the villager, shown on the tracking page and sent as a notice."""
    event = record_event(dossier, EventKind.MESSAGE, actor, note=text, public=True)
    db.session.flush()
    return event


def save_checklist(dossier, actor, checked):
    """Remember which required documents the clerk has checked (staff-only event)."""
    event = record_event(dossier, EventKind.CHECKLIST, actor, public=False, data={"checked": sorted(checked)})
    db.session.flush()
    return event


def acknowledge_supplement(dossier, actor):
    """The clerk has looked at the pages the villager sent in answer: clear the 'new' mark."""
    dossier.has_new_supplement = False
    event = record_event(dossier, EventKind.SUPPLEMENT_CHECKED, actor, public=False,
                         note=_("Đã xem phần bổ sung."))
    db.session.flush()
    return event
