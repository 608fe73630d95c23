"""Plain-words labels for a procedure's time, fee and online level (used by every catalog list).

Translated once per language, not per line: a result list of 50 procedures would otherwise
call gettext a few hundred times per search.

The daily cut-off hour a villager reads (the procedure page, the printed guide) is the one the
due dates use (core.calendar.configured_cutoff): a processing note that names an hour ("tiếp
nhận sau 15 giờ thì…", as the national texts write it) shows the configured hour instead.
"""
import re

from flask_babel import gettext as _

from ..core.calendar import configured_cutoff
from ..core.i18n import format_vnd, select_locale
from ..core.kept import memo

# "…(tiếp) nhận (hồ sơ) sau 15 giờ (30 (phút))…" in a procedure's processing note: the cut-off.
_NOTE_CUTOFF = re.compile(r"(nhận(?: hồ sơ)? sau )(\d{1,2}) giờ(?: (\d{1,2})(?: phút)?)?")


@memo(maxsize=8)
def _labels(locale):
    return {
        "unpublished": _("Chưa công bố thời hạn"),
        "same_day": _("Trong ngày"),
        "days": _("%(n)d ngày làm việc", n=999_999).replace("999999", "{n}"),
        "free": _("Miễn phí"),
        "province": _("Theo mức HĐND tỉnh quy định"),
        "full": _("Trực tuyến toàn trình"),
        "partial": _("Trực tuyến một phần"),
        "offline": _("Nộp trực tiếp hoặc qua bưu điện"),
        "online": _("Nộp trực tuyến"),
    }


def labels():
    return _labels(select_locale())


def processing_text(procedure):
    """'Trong ngày', '3 ngày làm việc' or 'Chưa công bố thời hạn'."""
    days = procedure.processing_days
    if days is None:
        return labels()["unpublished"]
    if days == 0:
        return labels()["same_day"]
    return labels()["days"].format(n=days)


def _cutoff():
    hours, minutes = configured_cutoff().split(":")
    return int(hours), int(minutes)


def _hour_vi(hour, minute):
    """15:00 -> '15 giờ', 15:30 -> '15 giờ 30' (as the procedure texts write the hour)."""
    return f"{hour} giờ" + (f" {minute:02d}" if minute else "")


def processing_note(procedure):
    """The procedure's processing note, any cut-off hour in it replaced by the configured one."""
    note = procedure.processing_note or ""
    if not note or not _NOTE_CUTOFF.search(note):
        return note
    hour = _hour_vi(*_cutoff())
    return _NOTE_CUTOFF.sub(lambda m: m.group(1) + hour, note)


def cutoff_sentence(procedure, beside_note=True):
    """'Hồ sơ nhận sau 15 giờ …': what the cut-off means for this procedure, with the configured hour.

    None for a procedure without a published time, and (beside_note) when the processing note shown
    next to it already says it (processing_note() puts the configured hour there)."""
    if procedure.processing_days is None:
        return None
    if beside_note and _NOTE_CUTOFF.search(procedure.processing_note or ""):
        return None
    hour, minute = _cutoff()
    at = _("%(hour)d giờ %(minute)02d", hour=hour, minute=minute) if minute else _("%(hour)d giờ", hour=hour)
    if procedure.processing_days == 0:
        return _("Hồ sơ nhận sau %(time)s thì trả kết quả trong ngày làm việc tiếp theo.", time=at)
    return _("Hồ sơ nhận sau %(time)s thì thời hạn được tính từ ngày làm việc tiếp theo.", time=at)


def fee_text(procedure, short=False):
    """'Miễn phí', '2.000 đ/trang'; a fee set by the province shows its note (or a short phrase)."""
    fee = procedure.fee_vnd
    if fee is None:
        note = getattr(procedure, "fee_note", "")
        return labels()["province"] if short or not note else note
    if fee == 0:
        return labels()["free"]
    unit = getattr(procedure, "fee_unit", "")
    return format_vnd(fee) + (f"/{unit}" if unit else "")


def online_text(procedure):
    """How the procedure can be done online, in the national vocabulary."""
    return {"toàn trình": labels()["full"], "một phần": labels()["partial"]}.get(
        procedure.online_level, labels()["offline"])


def facts_line(procedure, show_field=False):
    """The small line under a procedure in a list: field · time · fee · online."""
    parts = [procedure.field.name] if show_field else []
    parts += [processing_text(procedure), fee_text(procedure, short=True)]
    if procedure.online:
        parts.append(labels()["online"])
    return " · ".join(parts)


def init_app(state):
    """Register the helpers as template globals (called when the blueprint is registered)."""
    state.app.jinja_env.globals.update(
        processing_text=processing_text, fee_text=fee_text, online_text=online_text, facts_line=facts_line,
        processing_note=processing_note, cutoff_sentence=cutoff_sentence,
    )
