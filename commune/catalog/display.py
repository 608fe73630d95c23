"""Plain-words labels for a procedure's time, fee and online level (used by every catalog list).

Translated once per language, not per line: a result list of 50 procedures would otherwise
call gettext a few hundred times per search.
"""
from functools import lru_cache

from flask_babel import gettext as _

from ..core.i18n import format_vnd, select_locale


@lru_cache(maxsize=8)
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
    )
