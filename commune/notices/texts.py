"""What a notice says: one plain sentence per villager-visible event, as SMS or e-mail.

SMS (sms_text): one part of at most COMMUNE_SMS_MAX_CHARS (160) GSM-7 characters, without
diacritics unless COMMUNE_SMS_UNICODE is on (a Vietnamese SMS with diacritics is sent as UCS-2
and costs two or three messages): the one thing to do first, then the tracking code and the
short link; never half a word. E-mail: the full text and a link to the tracking page.
"""
from datetime import date

import sqlalchemy as sa
from flask import current_app

from ..core.settings import get_settings
from ..core.timeutil import format_date, format_datetime
from ..dossiers.events import EventKind
from ..dossiers.models import DossierFile, ResultMethod, SupplementRequest
from ..dossiers.states import Status
from ..extensions import db
from .gsm import (
    shorten_at_words,
    strip_diacritics,  # noqa: F401 - where callers found it before gsm.py
    to_gsm7,
)

# The short path of the SMS link (tracking/views.py answers it with the look-up, code filled in).
SHORT_PATH = "/t/"

# Status moves the villager made themselves or that a delivery event already announces.
ANSWERED_FROM = Status.NEEDS_SUPPLEMENT


def describe(dossier, event):
    """(title, sentence) for an event the villager should hear about, or None."""
    if event is None or not event.public:
        return None
    kind = EventKind.of(event.kind)
    if kind.is_delivery and kind.notice_title:
        return kind.notice_title, _delivery_sentence(dossier, event)
    if kind == EventKind.APOLOGY:
        new_due = _parse_day((event.data or {}).get("new_due")) or dossier.due_date
        sentence = f"Hồ sơ bị trễ hạn, chúng tôi xin lỗi. Ngày hẹn trả mới: {format_date(new_due)}."
        return kind.notice_title, _with_note(sentence, event.note)
    if kind == EventKind.MESSAGE:
        return kind.notice_title, event.note or "Bộ phận Một cửa có tin nhắn về hồ sơ của bạn."
    if kind != EventKind.STATUS or not event.to_status:
        return None  # the villager's own supplement answer, and every event without words for them
    if event.from_status == ANSWERED_FROM and event.to_status in (Status.SUBMITTED, Status.RECEIVED, Status.PROCESSING):
        return None  # the villager's own supplement answer
    if event.from_status == Status.DELIVERING:
        return None  # delivery_delivered / delivery_returned say it
    return _status_text(dossier, event)


def _status_text(dossier, event):
    to = event.to_status
    if to == Status.SUBMITTED:
        return ("Đã nhận hồ sơ",
                # Never the lookup key: whoever reads the message (and staff in the notices panel)
                # would hold the dossier in full. The key is only on the villager's receipt.
                f"Đã nhận hồ sơ {_procedure(dossier)}. Cán bộ sẽ kiểm tra và báo ngày hẹn trả.")
    if to == Status.RECEIVED:
        due = format_date(dossier.due_date) if dossier.due_date else ""
        sentence = "Hồ sơ đã được tiếp nhận." + (f" Hẹn trả kết quả ngày {due}." if due else "")
        return "Đã tiếp nhận hồ sơ", sentence
    if to == Status.NEEDS_SUPPLEMENT:
        items = _supplement_items(dossier)
        sentence = "Hồ sơ cần bổ sung" + (": " + "; ".join(items) if items else "") + "."
        sentence += " Vui lòng gửi bổ sung trên trang tra cứu hồ sơ."
        return "Cần bổ sung giấy tờ", sentence
    if to == Status.REFUSED:
        return "Hồ sơ bị từ chối", _with_note("Hồ sơ không được giải quyết.", event.note, "Lý do: ")
    if to == Status.READY:
        electronic = (" Bản điện tử của kết quả đã có trên trang tra cứu: tải về bằng mã tra cứu in trên "
                      "biên nhận.") if has_electronic_result(dossier) else ""
        if dossier.result_method == ResultMethod.POST:
            return "Đã có kết quả", ("Đã có kết quả. Kết quả sẽ được gửi qua bưu điện đến địa chỉ của bạn."
                                     + electronic)
        return "Đã có kết quả", "Đã có kết quả. Mời bạn đến nhận tại bộ phận Một cửa, mang theo CCCD." + electronic
    return None


def _delivery_sentence(dossier, event):
    kind = EventKind.of(event.kind)
    sentence = kind.notice_title + "."
    if kind == EventKind.DELIVERY_FAILED:
        return _with_note(sentence, event.note, "Lý do: ") + " Bưu điện sẽ liên hệ để giao lại."
    if kind == EventKind.DELIVERY_RETURNED:
        return sentence + " Mời bạn đến nhận tại bộ phận Một cửa, mang theo CCCD."
    return sentence


def _with_note(sentence, note, prefix=""):
    note = (note or "").strip()
    return f"{sentence} {prefix}{note}".strip() if note else sentence


def _parse_day(text):
    try:
        return date.fromisoformat(text) if text else None
    except (TypeError, ValueError):
        return None


def _procedure(dossier):
    return (dossier.procedure_snapshot or {}).get("name") or ""


def _supplement_items(dossier):

    request_row = db.session.scalar(
        sa.select(SupplementRequest).where(SupplementRequest.dossier_id == dossier.id)
        .order_by(SupplementRequest.round.desc()).limit(1)
    )
    if request_row is None:
        return []
    return [str(item.get("label", "")).strip() for item in (request_row.items or []) if item.get("label")]


def sms_text(dossier, event):
    """The SMS: the one thing to do first, then the code and the short link, in one 160-character part.

    'Bo sung: anh CCCD mat sau; giay khai sinh. Gui tai trang tra cuu. HS K7QM-X2PD-AF:
    motcua.xa-mau.gov.vn/t/K7QMX2PDAF - UBND xa Mau'. A long reason or message is cut after a whole
    word ('...'); the code and the link are always whole; the commune's name only when there is room."""
    config = current_app.config
    limit = int(config.get("COMMUNE_SMS_MAX_CHARS", 160))
    lead, detail = sms_words(dossier, event) or ("", "")
    link = short_link(dossier)
    parts = [f"{lead} {detail}", f"HS {dossier.display_code}" + (f": {link}" if link else ""),
             "- " + (get_settings().get("commune_name") or "")]
    if not config.get("COMMUNE_SMS_UNICODE", False):  # GSM-7: no diacritics (see gsm.py)
        parts = [to_gsm7(part) for part in parts]
    text, tail, signature = (" ".join(part.split()) for part in parts)
    if text and not text.endswith((".", "!", "?", ":")):
        text += "."  # a name or a typed reason ends a sentence before the code
    if len(text) + len(tail) + len(signature) + 2 <= limit and signature != "-":
        return f"{text} {tail} {signature}"
    return f"{shorten_at_words(text, limit - len(tail) - 1)} {tail}".strip()


def sms_words(dossier, event):
    """(what to do or know first, what may be cut) of the SMS for an event the villager hears of, or None."""
    described = describe(dossier, event)
    if described is None:
        return None
    kind = EventKind.of(event.kind)
    note = " ".join((event.note or "").split())
    if kind == EventKind.MESSAGE:
        return "Tin nhắn của bộ phận Một cửa:", note or described[1]
    if kind == EventKind.APOLOGY:
        new_due = _parse_day((event.data or {}).get("new_due")) or dossier.due_date
        return f"Hẹn trả mới ngày {format_date(new_due)}.", _with_note("Hồ sơ bị trễ hạn, xin lỗi bạn.", note)
    if kind == EventKind.DELIVERY_FAILED:
        return ("Giao kết quả không thành công, bưu điện sẽ liên hệ giao lại.",
                f"Lý do: {note}" if note else "")
    if kind == EventKind.DELIVERY_RETURNED:
        return AT_DESK, "Bưu điện đã chuyển trả kết quả về xã."
    if kind == EventKind.DELIVERY_OUT:
        return "Bưu tá đang mang kết quả đến, hãy để ý điện thoại.", ""
    if kind == EventKind.DELIVERY_HANDED:
        return "Kết quả đã được giao cho bưu điện.", "Bưu tá sẽ mang đến địa chỉ của bạn."
    to = event.to_status if kind == EventKind.STATUS else None
    if to == Status.SUBMITTED:
        return "Đã nhận hồ sơ, chờ cán bộ kiểm tra.", _procedure(dossier)
    if to == Status.RECEIVED:
        if dossier.due_date:
            return f"Hẹn trả kết quả ngày {format_date(dossier.due_date)}.", "Hồ sơ đã được tiếp nhận."
        return "Hồ sơ đã được tiếp nhận.", ""
    if to == Status.NEEDS_SUPPLEMENT:
        items = _supplement_items(dossier)
        if not items:
            return "Bổ sung giấy tờ theo yêu cầu trên trang tra cứu.", ""
        return "Bổ sung:", "; ".join(items) + ". Gửi tại trang tra cứu."
    if to == Status.REFUSED:
        return "Hồ sơ bị từ chối.", f"Lý do: {note}" if note else ""
    if to == Status.READY:
        electronic = has_electronic_result(dossier)
        if dossier.result_method == ResultMethod.POST:
            return ("Đã có kết quả, bưu điện sẽ mang đến nhà.",
                    "Tải bản điện tử tại trang tra cứu." if electronic else "")
        if electronic:
            return "Đã có kết quả: tải bản điện tử tại trang tra cứu.", "Bản giấy: " + AT_DESK
        return AT_DESK, "Đã có kết quả."
    return described[0] + ".", ""  # any other kind with words for the villager: its title


AT_DESK = "Mời nhận kết quả tại bộ phận Một cửa, mang theo CCCD."


def has_electronic_result(dossier):
    """Whether the clerk attached the electronic copy of the result (the villager downloads it).

    Asked of the database: the pages were flushed just before the 'ready' move, perhaps after the
    dossier's `files` were loaded."""
    if dossier.id is None:
        return False
    return db.session.scalar(sa.select(DossierFile.id).where(
        DossierFile.dossier_id == dossier.id, DossierFile.purpose == "result").limit(1)) is not None


def short_link(dossier):
    """'motcua.xa-mau.gov.vn/t/K7QMX2PDAF': the public address (COMMUNE_PUBLIC_URL) without 'https://'.

    It opens the tracking look-up with the code filled in, and nothing more without the key."""
    base = (current_app.config.get("COMMUNE_PUBLIC_URL") or "").strip().rstrip("/")
    if not base or not dossier.code:
        return ""
    for prefix in ("https://", "www."):
        base = base.removeprefix(prefix)
    return f"{base}{SHORT_PATH}{dossier.code}"


def tracking_link(dossier):
    """Absolute link to the tracking page on COMMUNE_PUBLIC_URL (never the Host header), or ''."""
    base = (current_app.config.get("COMMUNE_PUBLIC_URL") or "").strip().rstrip("/")
    return f"{base}/ho-so/{dossier.code}" if base and dossier.code else ""


def email_text(dossier, event):
    """(subject, body) of the e-mail: the full text, the details and the tracking link."""
    title, sentence = describe(dossier, event) or ("Cập nhật hồ sơ", "")
    settings = get_settings()
    subject = f"[{settings['commune_name']}] Hồ sơ {dossier.display_code}: {title}"
    lines = [
        f"Kính gửi {dossier.applicant_name or 'ông/bà'},",
        "",
        sentence,
        "",
        f"Thủ tục: {_procedure(dossier)}",
        f"Mã hồ sơ: {dossier.display_code}",
        f"Thời điểm: {format_datetime(event.at)}",
    ]
    if dossier.due_date and dossier.finished_at is None and event.kind != EventKind.APOLOGY \
            and event.to_status != Status.RECEIVED:
        lines.append(f"Hẹn trả kết quả: {format_date(dossier.due_date)}")
    link = tracking_link(dossier)
    if link:
        lines += ["", "Xem tình trạng hồ sơ và làm bước tiếp theo tại:", link,
                  "(nhập mã hồ sơ và mã tra cứu in trên biên nhận, hoặc số điện thoại đã dùng khi nộp)"]
    lines += [
        "",
        f"{settings['office_name']} - {settings['office_address']}",
        f"Điện thoại: {settings['office_phone']}",
        "",
        "Thư này được gửi tự động; vui lòng không trả lời thư.",
    ]
    return subject, "\n".join(lines)
