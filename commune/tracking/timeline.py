"""What the villager reads: the timeline of public steps and the one sentence 'what to do now'."""
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..core.settings import get_settings
from ..core.timeutil import format_day, local_today, to_local
from ..dossiers.address import delivery_address
from ..dossiers.events import EventKind
from ..dossiers.models import CHANNEL_COUNTER, RESULT_BY_POST
from ..dossiers.states import Status

# The delivery steps that say where a result on its way home is now.
CARRIED_KINDS = (EventKind.DELIVERY_HANDED, EventKind.DELIVERY_OUT, EventKind.DELIVERY_FAILED)
STATUS_TITLES = {
    Status.SUBMITTED: _l("Đã nộp hồ sơ"),
    Status.RECEIVED: _l("Đã tiếp nhận hồ sơ"),
    Status.PROCESSING: _l("Đang giải quyết hồ sơ"),
    Status.NEEDS_SUPPLEMENT: _l("Cán bộ yêu cầu bổ sung giấy tờ"),
    Status.READY: _l("Đã có kết quả"),
    Status.RETURNED: _l("Đã trả kết quả"),
    Status.REFUSED: _l("Hồ sơ bị từ chối"),
    Status.WITHDRAWN: _l("Đã rút hồ sơ"),
}
TONES = {Status.NEEDS_SUPPLEMENT: "warn", Status.REFUSED: "bad", Status.READY: "ok", Status.RETURNED: "ok"}


@dataclass
class Step:
    """One line of the timeline."""

    at: datetime
    title: str
    detail: str = ""
    tone: str = ""


def _same(note, title):
    def norm(text):
        return (text or "").strip().rstrip(".").lower()
    return norm(note) == norm(title)


def _detail(note, title):
    return "" if not note or _same(note, title) else note.strip()


def _parse_day(text):
    try:
        return date.fromisoformat(text) if text else None
    except (TypeError, ValueError):
        return None


def timeline(dossier, personal=True):
    """The public steps of the dossier, oldest first, each in plain Vietnamese.

    `personal=False` (status access: code + phone) leaves out every free text — notes, addresses,
    names, reasons, messages — and keeps the titles, the times and the dates we compute."""
    steps = []
    events = sorted((e for e in dossier.events if e.public), key=lambda e: (e.at, e.id or 0))
    for event in events:
        step = _step(dossier, event if personal else _without_note(event))
        if step is not None:
            steps.append(step)
    return steps


@dataclass
class _Bare:
    """An event's fields without its free text (for status access)."""

    at: datetime
    id: int
    kind: str
    data: dict
    from_status: str
    to_status: str
    note: str = ""


def _without_note(event):
    return _Bare(event.at, event.id, event.kind, event.data or {}, event.from_status, event.to_status)


def _step(dossier, event):
    kind = EventKind.of(event.kind)
    data = event.data or {}
    if kind.is_delivery and kind.villager_title:
        title = str(kind.villager_title)
        return Step(event.at, title, _detail(event.note, title), kind.tone)
    if kind == EventKind.APOLOGY:
        new_due = _parse_day(data.get("new_due"))
        detail = _("Ngày hẹn trả mới: %(day)s.", day=format_day(new_due)) if new_due else ""
        if event.note:
            detail = f"{detail} {event.note}".strip()
        return Step(event.at, str(kind.villager_title), detail, kind.tone)
    if kind == EventKind.MESSAGE:
        return Step(event.at, str(kind.villager_title), event.note or "")
    if not event.to_status:
        return Step(event.at, _("Cập nhật hồ sơ"), event.note) if event.note else None
    return _status_step(dossier, event, data)


def _status_step(dossier, event, data):
    to = Status(event.to_status)
    if event.from_status == Status.NEEDS_SUPPLEMENT and to not in (Status.REFUSED, Status.WITHDRAWN):
        detail = _("Đã gửi %(n)s ảnh.", n=data["pages"]) if data.get("pages") else ""
        new_due = _parse_day(data.get("new_due"))
        if new_due:
            detail += " " + _("Thời hạn giải quyết tính lại từ đầu; hẹn trả mới: %(day)s.",
                              day=format_day(new_due))
        if event.note:
            detail += " " + _("Lời nhắn: %(text)s", text=event.note)
        answered = EventKind.SUPPLEMENT_ANSWERED
        return Step(event.at, str(answered.villager_title), detail.strip(), answered.tone)
    if to == Status.DELIVERING or (event.from_status == Status.DELIVERING and to in (Status.READY,
                                                                                     Status.RETURNED)):
        return None  # the delivery_* event next to it says it in the villager's words
    title = str(STATUS_TITLES[to]) if to in STATUS_TITLES else _("Cập nhật hồ sơ")
    detail = _detail(event.note, title)
    if to == Status.SUBMITTED and dossier.channel == CHANNEL_COUNTER:
        title = _("Đã nộp hồ sơ tại bộ phận Một cửa")
    if to == Status.RECEIVED:
        due = _parse_day(data.get("due_date"))
        if due:
            detail = (_("Hẹn trả kết quả: %(day)s.", day=format_day(due)) + " " + detail).strip()
    if to == Status.REFUSED and detail:
        detail = _("Lý do: %(reason)s", reason=detail)
    return Step(event.at, title, detail, TONES.get(to, ""))


def _last_public(dossier, kinds):
    for event in reversed(dossier.events):
        if event.public and event.kind in kinds:
            return event
    return None


def _originals(dossier):
    docs = (dossier.procedure_snapshot or {}).get("documents") or []
    return [d.get("name", "") for d in docs if "bản chính" in (d.get("original_or_copy") or "").lower()]


def next_step(dossier, open_request=None, rated=False, personal=True):
    """(sentence, tone): the one thing the villager should do now, at the top of the page.

    `personal=False` (status access) says it without the address, phone or reasons."""
    status = Status(dossier.status)
    site = get_settings()
    if not personal:
        found = _status_only_step(dossier, status, open_request, site)
        if found is not None:
            return found
    if status == Status.SUBMITTED:
        return _("Bạn chưa cần làm gì: cán bộ sẽ kiểm tra hồ sơ và báo ngày hẹn trả kết quả."), "info"
    if status in (Status.RECEIVED, Status.PROCESSING):
        sentence = _("Bạn chỉ cần chờ.")
        if dossier.due_date:
            sentence = _("Bạn chỉ cần chờ: hẹn trả kết quả %(day)s.", day=format_day(dossier.due_date))
        originals = _originals(dossier)
        if originals and dossier.result_method != RESULT_BY_POST:
            sentence += " " + _("Khi đến nhận kết quả, mang theo CCCD và bản chính: %(docs)s.",
                                docs="; ".join(originals))
        return sentence, "info"
    if status == Status.NEEDS_SUPPLEMENT:
        items = [i.get("label", "") for i in (open_request.items if open_request else []) if i.get("label")]
        if items:
            return _("Hãy gửi bổ sung: %(items)s. Dùng mẫu trả lời bên dưới.", items="; ".join(items)), "warn"
        return _("Hãy gửi bổ sung giấy tờ theo yêu cầu bên dưới."), "warn"
    if status == Status.READY:
        # The electronic copy (tracking/results.py) is on this page: say so first.
        electronic = (_("Bản điện tử của kết quả đã có, tải ở bên dưới.") + " "
                      if any(f.purpose == "result" for f in dossier.files) else "")
        if dossier.result_method == RESULT_BY_POST:
            return electronic + _("Kết quả đã có và sẽ được giao cho bưu điện để chuyển đến: %(address)s.",
                                  address=delivery_address(dossier)), "ok"
        day = max(to_local(dossier.ready_at).date() if dossier.ready_at else local_today(), local_today())
        return electronic + _("Mời bạn đến nhận kết quả tại %(place)s từ %(day)s, trong giờ làm việc; mang theo "
                              "CCCD.", place=site["office_address"], day=format_day(day)), "ok"
    if status == Status.DELIVERING:
        last = _last_public(dossier, CARRIED_KINDS)
        if last is not None and last.kind == EventKind.DELIVERY_FAILED:
            return _("Bưu tá chưa giao được (%(why)s). Bưu điện sẽ liên hệ để giao lại; hãy để ý điện thoại.",
                     why=last.note or _("không gặp người nhận")), "warn"
        return _("Bưu tá sẽ mang kết quả đến %(address)s. Hãy để ý điện thoại %(phone)s.",
                 address=delivery_address(dossier),
                 phone=dossier.delivery_phone or dossier.applicant_phone), "info"
    if status == Status.RETURNED:
        if rated:
            return _("Hồ sơ đã hoàn thành. Cảm ơn bạn đã đánh giá."), "ok"
        return _("Hồ sơ đã hoàn thành. Mời bạn đánh giá chất lượng phục vụ ở cuối trang."), "ok"
    if status == Status.REFUSED:
        last = _last_public(dossier, ("status",))
        reason = last.note if last is not None and last.to_status == Status.REFUSED else ""
        return _("Hồ sơ không được giải quyết%(reason)s. Bạn có thể nộp hồ sơ mới hoặc gọi %(phone)s "
                 "để được hướng dẫn.", reason=(": " + reason) if reason else "",
                 phone=site["office_phone"]), "bad"
    return _("Bạn đã rút hồ sơ này. Không cần làm gì thêm."), "info"


def _status_only_step(dossier, status, open_request, site):
    """The sentences that would otherwise name the address, phone, reasons or a form below."""
    if status == Status.NEEDS_SUPPLEMENT:
        items = [i.get("label", "") for i in (open_request.items if open_request else []) if i.get("label")]
        what = _("Hãy gửi bổ sung: %(items)s.", items="; ".join(items)) if items else _(
            "Hãy gửi bổ sung giấy tờ theo yêu cầu.")
        return what + " " + _("Mở hồ sơ bằng mã tra cứu in trên biên nhận để gửi."), "warn"
    if status == Status.READY and dossier.result_method == RESULT_BY_POST:
        return _("Kết quả đã có và sẽ được giao cho bưu điện để chuyển đến địa chỉ bạn đã chọn."), "ok"
    if status == Status.DELIVERING:
        last = _last_public(dossier, CARRIED_KINDS)
        if last is not None and last.kind == EventKind.DELIVERY_FAILED:
            return _("Bưu tá chưa giao được. Bưu điện sẽ liên hệ để giao lại; hãy để ý điện thoại."), "warn"
        return _("Bưu tá sẽ mang kết quả đến địa chỉ bạn đã chọn. Hãy để ý điện thoại."), "info"
    if status == Status.RETURNED:
        return _("Hồ sơ đã hoàn thành."), "ok"
    if status == Status.REFUSED:
        return _("Hồ sơ không được giải quyết. Xem lý do bằng mã tra cứu in trên biên nhận, hoặc gọi "
                 "%(phone)s.", phone=site["office_phone"]), "bad"
    return None
