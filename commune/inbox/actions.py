"""The actions on a dossier: who may do each, in which states, with which form and service.

One table read by the views (to show buttons and to check every POST on the
server) and by the tests (the role x action matrix).
"""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ..accounts.models import ADMIN, CLERK, LEADER, OFFICER
from ..core.workflow import WITHDRAWABLE, Status
from . import forms, services

S = Status
NOT_DRAFT = frozenset(s.value for s in Status if s != S.DRAFT)
CHECKING = frozenset({S.SUBMITTED.value, S.RECEIVED.value, S.PROCESSING.value, S.NEEDS_SUPPLEMENT.value})


@dataclass(frozen=True)
class Action:
    key: str
    label: object
    roles: tuple
    statuses: frozenset
    form: type
    style: str = ""  # button class: "", "secondary", "danger"
    extra: object = None  # predicate(dossier) for rules beyond the state
    officer_scoped: bool = True  # an officer acts only on dossiers assigned to them (or nobody)
    printable: str = ""  # endpoint of the slip this action produces

    def state_allows(self, dossier):
        return dossier.status in self.statuses and (self.extra is None or self.extra(dossier))

    def role_allows(self, user, dossier):
        if not (user and user.is_authenticated and user.role in self.roles):
            return False
        if user.role == OFFICER and self.officer_scoped:
            return dossier.assignee_id in (None, user.id)
        return True

    def available(self, user, dossier):
        return self.role_allows(user, dossier) and self.state_allows(dossier)


def _v(values):
    return frozenset(s.value if isinstance(s, Status) else s for s in values)


ACTIONS = {a.key: a for a in (
    Action("receive", _l("Tiếp nhận"), (ADMIN, CLERK), _v({S.SUBMITTED}), forms.ReceiveForm,
           printable="inbox.print_receipt"),
    Action("start", _l("Bắt đầu xử lý"), (ADMIN, CLERK, OFFICER), _v({S.RECEIVED}), forms.StartForm),
    Action("ready", _l("Có kết quả"), (ADMIN, CLERK, OFFICER), _v({S.RECEIVED, S.PROCESSING}),
           forms.ReadyForm),
    Action("return", _l("Trả kết quả tại quầy"), (ADMIN, CLERK), _v({S.READY}), forms.ReturnForm),
    Action("supplement", _l("Yêu cầu bổ sung"), (ADMIN, CLERK, OFFICER),
           _v({S.SUBMITTED, S.RECEIVED, S.PROCESSING}), forms.SupplementForm, style="secondary",
           printable="inbox.print_supplement"),
    Action("assign", _l("Giao xử lý"), (ADMIN, CLERK, LEADER),
           _v({S.SUBMITTED, S.RECEIVED, S.PROCESSING, S.NEEDS_SUPPLEMENT}), forms.AssignForm,
           style="secondary", officer_scoped=False),
    Action("apology", _l("Xin lỗi và hẹn lại"), (ADMIN, CLERK, OFFICER), _v({S.RECEIVED, S.PROCESSING}),
           forms.ApologyForm, style="secondary", extra=services.is_late, printable="inbox.print_apology"),
    Action("refuse", _l("Từ chối"), (ADMIN, CLERK, OFFICER), CHECKING, forms.RefuseForm, style="danger",
           printable="inbox.print_refusal"),
    Action("withdraw", _l("Rút hồ sơ theo đề nghị"), (ADMIN, CLERK), _v(WITHDRAWABLE), forms.WithdrawForm,
           style="danger", printable="inbox.print_stop"),
    Action("message", _l("Nhắn người dân"), (ADMIN, CLERK, OFFICER), NOT_DRAFT, forms.MessageForm,
           style="secondary"),
    Action("note", _l("Ghi chú nội bộ"), (ADMIN, CLERK, OFFICER, LEADER), NOT_DRAFT, forms.NoteForm,
           style="secondary", officer_scoped=False),
    Action("checklist", _l("Lưu kiểm tra"), (ADMIN, CLERK, OFFICER), CHECKING, forms.ChecklistForm,
           style="secondary"),
    Action("seen", _l("Đã xem phần bổ sung"), (ADMIN, CLERK, OFFICER), NOT_DRAFT, forms.SeenForm,
           style="secondary", extra=lambda d: bool(d.has_new_supplement)),
)}

# The order the buttons appear in; the main actions first.
MAIN = ("receive", "start", "ready", "return", "supplement", "assign", "apology", "refuse", "withdraw")
SIDE = ("seen", "checklist", "message", "note")


def run(action, dossier, user, form):
    """Call the action's service with the form's data (the view validated the form)."""
    data = form.data
    if action.key == "receive":
        return services.receive(dossier, user)
    if action.key == "start":
        return services.start_processing(dossier, user, data.get("note", ""))
    if action.key == "ready":
        return services.mark_ready(dossier, user, data.get("note", ""), form.result.data)
    if action.key == "return":
        return services.return_at_desk(dossier, user, data["collected_by"].strip(), data.get("note", ""))
    if action.key == "supplement":
        return services.request_supplement(dossier, user, form.missing_items(dossier), data["message"].strip(),
                                           data.get("reason_for_another", ""))
    if action.key == "assign":
        return services.assign(dossier, user, form.assignee_user())
    if action.key == "apology":
        return services.apologise(dossier, user, data["new_due"], data["reason"].strip())
    if action.key == "refuse":
        return services.refuse(dossier, user, data["reason"].strip())
    if action.key == "withdraw":
        return services.withdraw(dossier, user, data["reason"].strip())
    if action.key == "message":
        return services.send_message(dossier, user, data["text"].strip())
    if action.key == "note":
        return services.add_note(dossier, user, data["text"].strip())
    if action.key == "checklist":
        return services.save_checklist(dossier, user, data.get("checked") or [])
    if action.key == "seen":
        return services.acknowledge_supplement(dossier, user)
    raise KeyError(action.key)
