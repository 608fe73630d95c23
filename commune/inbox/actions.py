"""The actions on a dossier: who may do each, in which states, with which form and service.

One table read by the views (to show buttons and to check every POST on the
server, through Dossier.can_act) and by the tests (the role x action matrix).
Each action carries the service it runs; the form's validated fields are its arguments.
"""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ..core.roles import DESK, DISPATCHERS, DOSSIER_READERS, DOSSIER_WORKERS
from ..dossiers.states import WITHDRAWABLE, Status
from . import forms, services

S = Status
NOT_DRAFT = frozenset(s.value for s in Status if s != S.DRAFT)
CHECKING = frozenset({S.SUBMITTED, S.RECEIVED, S.PROCESSING, S.NEEDS_SUPPLEMENT})


@dataclass(frozen=True)
class Action:
    key: str
    label: object
    roles: tuple
    statuses: frozenset
    form: type
    style: str = ""  # button class: "", "secondary", "danger"
    extra: object = None  # predicate(dossier) for rules beyond the state
    refusal: object = None  # what the clerk is told (409) when `extra` says no in an allowed state
    officer_scoped: bool = True  # an officer acts only on dossiers assigned to them (or nobody)
    printable: str = ""  # endpoint of the slip this action produces
    service: object = None  # service(dossier, user, form): the change, flushed; the view commits

    def state_allows(self, dossier):
        return dossier.status in self.statuses and (self.extra is None or self.extra(dossier))

    def why_not(self, dossier):
        """The action's own reason for refusing in a state it allows (None: it is allowed, or the state is why not)."""
        held_back = dossier.status in self.statuses and self.extra is not None and not self.extra(dossier)
        return self.refusal if held_back and self.refusal else None

def _v(values):
    return frozenset(s.value if isinstance(s, Status) else s for s in values)


ACTIONS = {a.key: a for a in (
    Action("receive", _l("Tiếp nhận"), DESK, _v({S.SUBMITTED}), forms.ReceiveForm,
           printable="inbox.print_receipt", service=lambda d, u, f: services.receive(d, u)),
    Action("start", _l("Bắt đầu xử lý"), DOSSIER_WORKERS, _v({S.RECEIVED}), forms.StartForm,
           service=lambda d, u, f: services.start_processing(d, u, f.note.data or "")),
    Action("ready", _l("Có kết quả"), DOSSIER_WORKERS, _v({S.RECEIVED, S.PROCESSING}), forms.ReadyForm,
           service=lambda d, u, f: services.mark_ready(d, u, f.note.data or "", f.result.data)),
    Action("return", _l("Trả kết quả tại quầy"), DESK, _v({S.READY}), forms.ReturnForm,
           service=lambda d, u, f: services.return_at_desk(d, u, f.collected_by.data.strip(), f.note.data or "")),
    Action("supplement", _l("Yêu cầu bổ sung"), DOSSIER_WORKERS, _v({S.SUBMITTED, S.RECEIVED, S.PROCESSING}),
           forms.SupplementForm, style="secondary", printable="inbox.print_supplement",
           extra=services.supplement_allowed, refusal=services.SUPPLEMENT_ONCE_REFUSAL,
           service=lambda d, u, f: services.request_supplement(d, u, f.missing_items(d), f.message.data.strip(),
                                                               f.reason_for_another.data or "")),
    Action("assign", _l("Giao xử lý"), DISPATCHERS, _v({S.SUBMITTED, S.RECEIVED, S.PROCESSING, S.NEEDS_SUPPLEMENT}),
           forms.AssignForm, style="secondary", officer_scoped=False,
           service=lambda d, u, f: services.assign(d, u, f.assignee_user())),
    Action("apology", _l("Xin lỗi và hẹn lại"), DOSSIER_WORKERS, _v({S.RECEIVED, S.PROCESSING}), forms.ApologyForm,
           style="secondary", extra=services.is_late, printable="inbox.print_apology",
           service=lambda d, u, f: services.apologise(d, u, f.new_due.data, f.reason.data.strip())),
    Action("refuse", _l("Từ chối"), DOSSIER_WORKERS, CHECKING, forms.RefuseForm, style="danger",
           printable="inbox.print_refusal", service=lambda d, u, f: services.refuse(d, u, f.reason.data.strip())),
    Action("withdraw", _l("Rút hồ sơ theo đề nghị"), DESK, _v(WITHDRAWABLE), forms.WithdrawForm, style="danger",
           printable="inbox.print_stop", service=lambda d, u, f: services.withdraw(d, u, f.reason.data.strip())),
    Action("message", _l("Nhắn người dân"), DOSSIER_WORKERS, NOT_DRAFT, forms.MessageForm, style="secondary",
           service=lambda d, u, f: services.send_message(d, u, f.text.data.strip())),
    Action("note", _l("Ghi chú nội bộ"), DOSSIER_READERS, NOT_DRAFT, forms.NoteForm, style="secondary",
           officer_scoped=False, service=lambda d, u, f: services.add_note(d, u, f.text.data.strip())),
    Action("checklist", _l("Lưu kiểm tra"), DOSSIER_WORKERS, CHECKING, forms.ChecklistForm, style="secondary",
           service=lambda d, u, f: services.save_checklist(d, u, f.checked.data or [])),
    Action("seen", _l("Đã xem phần bổ sung"), DOSSIER_WORKERS, NOT_DRAFT, forms.SeenForm, style="secondary",
           extra=lambda d: bool(d.has_new_supplement),
           service=lambda d, u, f: services.acknowledge_supplement(d, u)),
)}

# The order the buttons appear in; the main actions first.
MAIN = ("receive", "start", "ready", "return", "supplement", "assign", "apology", "refuse", "withdraw")
SIDE = ("seen", "checklist", "message", "note")
