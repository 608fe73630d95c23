"""What a notice says: one plain sentence per villager-visible event, as SMS or e-mail.

SMS: at most COMMUNE_SMS_MAX_CHARS (160) characters, without diacritics unless
COMMUNE_SMS_UNICODE is on (a Vietnamese SMS with diacritics is sent as UCS-2
and costs two or three messages), and always with the tracking code.
E-mail: the full text and a link to the tracking page.
"""
import unicodedata
from datetime import date

import sqlalchemy as sa
from flask import current_app

from ..core.settings import get_settings
from ..core.timeutil import format_date, format_datetime
from ..dossiers.events import EventKind
from ..dossiers.models import SupplementRequest
from ..extensions import db

# Status moves the villager made themselves or that a delivery event already announces.
ANSWERED_FROM = "needs_supplement"


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
    if event.from_status == ANSWERED_FROM and event.to_status in ("submitted", "received", "processing"):
        return None  # the villager's own supplement answer
    if event.from_status == "delivering":
        return None  # delivery_delivered / delivery_returned say it
    return _status_text(dossier, event)


def _status_text(dossier, event):
    to = event.to_status
    if to == "submitted":
        return ("Đã nhận hồ sơ",
                # Never the lookup key: whoever reads the message (and staff in the notices panel)
                # would hold the dossier in full. The key is only on the villager's receipt.
                f"Đã nhận hồ sơ {_procedure(dossier)}. Cán bộ sẽ kiểm tra và báo ngày hẹn trả.")
    if to == "received":
        due = format_date(dossier.due_date) if dossier.due_date else ""
        sentence = "Hồ sơ đã được tiếp nhận." + (f" Hẹn trả kết quả ngày {due}." if due else "")
        return "Đã tiếp nhận hồ sơ", sentence
    if to == "needs_supplement":
        items = _supplement_items(dossier)
        sentence = "Hồ sơ cần bổ sung" + (": " + "; ".join(items) if items else "") + "."
        sentence += " Vui lòng gửi bổ sung trên trang tra cứu hồ sơ."
        return "Cần bổ sung giấy tờ", sentence
    if to == "refused":
        return "Hồ sơ bị từ chối", _with_note("Hồ sơ không được giải quyết.", event.note, "Lý do: ")
    if to == "ready":
        if dossier.result_method == "post":
            return "Đã có kết quả", "Đã có kết quả. Kết quả sẽ được gửi qua bưu điện đến địa chỉ của bạn."
        return "Đã có kết quả", "Đã có kết quả. Mời bạn đến nhận tại bộ phận Một cửa, mang theo CCCD."
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


def strip_diacritics(text):
    """'Đã tiếp nhận hồ sơ' -> 'Da tiep nhan ho so' (GSM-7 safe ASCII)."""
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = plain.replace("–", "-").replace("—", "-").replace("…", "...")
    plain = plain.replace("“", '"').replace("”", '"').replace("‘", "'").replace("’", "'")
    return plain.encode("ascii", "ignore").decode("ascii")


def sms_text(dossier, event):
    """The SMS: 'HS K7QM-X2PD-AF: <sentence> - <commune>', short, code always kept."""
    config = current_app.config
    limit = int(config.get("COMMUNE_SMS_MAX_CHARS", 160))
    described = describe(dossier, event)
    sentence = described[1] if described else ""
    head = f"HS {dossier.display_code}: "
    tail = " - " + get_settings().get("commune_name", "")
    unicode_ok = bool(config.get("COMMUNE_SMS_UNICODE", False))
    if not unicode_ok:
        head, sentence, tail = strip_diacritics(head), strip_diacritics(sentence), strip_diacritics(tail)
    sentence = " ".join(sentence.split())
    if len(head) + len(sentence) + len(tail) <= limit:
        return head + sentence + tail
    return head + _shorten(sentence, limit - len(head))


def _shorten(text, room):
    """Cut `text` to `room` characters at a word boundary, ending with '...'."""
    if len(text) <= room:
        return text
    cut = text[:max(0, room - 3)]
    if " " in cut:
        cut = cut[:cut.rfind(" ")]
    return cut.rstrip(" ,.;:") + "..."


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
            and event.to_status != "received":
        lines.append(f"Hẹn trả kết quả: {format_date(dossier.due_date)}")
    link = tracking_link(dossier)
    if link:
        lines += ["", "Xem tình trạng hồ sơ và làm bước tiếp theo tại:", link,
                  "(nhập mã hồ sơ và số điện thoại đã dùng khi nộp)"]
    lines += [
        "",
        f"{settings['office_name']} - {settings['office_address']}",
        f"Điện thoại: {settings['office_phone']}",
        "",
        "Thư này được gửi tự động; vui lòng không trả lời thư.",
    ]
    return subject, "\n".join(lines)
