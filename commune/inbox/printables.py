"""Printed slips of Circular 03/2025/TT-VPCP (A4, with a QR code to the tracking page).

01 receipt and appointment slip, 02 supplement request, 03 refusal,
04 apology and new date, 05 notice that handling stopped (a withdrawn dossier),
06 process-control sheet. Form 07, the register, is an export of the figures page.
"""
from datetime import date, datetime

from flask import abort, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from ..accounts.permissions import roles_required
from ..core.i18n import N_
from ..core.qr import make_qr
from ..core.roles import DESK, DOSSIER_READERS, is_in
from ..core.settings import get_settings
from ..core.timeutil import to_local
from ..dossiers.access import handed_key, staff_dossier
from ..dossiers.codes import link_token
from ..dossiers.events import EventKind
from ..dossiers.models import CHANNEL_ONLINE
from ..dossiers.states import Status
from ..web.public_urls import site_url
from . import bp, presenters

# The steps the control sheet (phiếu kiểm soát) lists: who moved the dossier, and when.
CONTROL_SHEET_KINDS = (EventKind.STATUS, EventKind.SUPPLEMENT_ANSWERED, EventKind.ASSIGN, EventKind.APOLOGY)


def tracking_url(dossier, with_key=False):
    """The absolute tracking address printed as a QR code: /ho-so/<code>, with ?k=<the key's link token> only
    on the villager's own receipt slip (see `desk_prints_key`); the token comes from the stored hash."""

    key = f"?k={link_token(dossier.lookup_key_hash)}" if with_key and dossier.lookup_key_hash else ""
    return f"{site_url()}/ho-so/{dossier.code}{key}"


def desk_prints_key(dossier):
    """The key (full access) goes only on Form 01 that the desk prints and hands to a villager who came
    to the counter (or sent papers by post); an online villager has it on their own receipt. Officers
    and leaders never see it: staff never act as the villager."""


    return dossier.channel != CHANNEL_ONLINE and is_in(current_user, DESK)


def qr_svg(text):
    """An inline SVG QR code (segno), safe to place in the page (no inline style or script)."""

    return Markup(make_qr(text).svg_inline(scale=3, border=2, omitsize=True))


def long_date(value):
    """'ngày 22 tháng 11 năm 2026', as official letters write the date (local time)."""


    if value is None:
        return ""
    day = to_local(value).date() if isinstance(value, datetime) else value
    return f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


def sheet_context(dossier, show_key=False, **context):
    """What a sheet partial (templates/inbox/print/_<form>.html) reads about its dossier."""
    url = tracking_url(dossier, with_key=show_key)
    return {"dossier": dossier, "tracking_url": url, "qr": qr_svg(url), "show_key": show_key,
            "key": handed_key(dossier) if show_key else None,
            "printed_url": tracking_url(dossier), "documents": presenters.documents_of(dossier),
            "groups": presenters.file_groups(dossier), **context}


def _render(template, dossier, show_key=False, **context):
    return render_template(f"inbox/print/{template}", site=get_settings(), long_date=long_date,
                           autoprint=request.args.get("print") == "1",
                           **sheet_context(dossier, show_key, **context))


def _last_event(dossier, kind=None, to_status=None):
    for event in reversed(dossier.events):
        if (kind is None or event.kind == kind) and (to_status is None or event.to_status == to_status):
            return event
    return None


def _with_event(dossier_id, **which):
    """The dossier and the event a slip is about (404 while there is none)."""
    dossier = staff_dossier(dossier_id)
    event = _last_event(dossier, **which)
    if event is None:
        abort(404)
    return dossier, event


@bp.route("/hop-thu/ho-so/<int:dossier_id>/in/tiep-nhan")
@roles_required(*DOSSIER_READERS)
def print_receipt(dossier_id):
    """Form 01: receipt and appointment slip."""
    dossier = staff_dossier(dossier_id)
    if dossier.received_at is None:
        abort(404)
    return _render("receipt.html", dossier, **receipt_extra(dossier))


def receipt_extra(dossier):
    """Form 01's own context: the key (desk_prints_key) and the receiving event."""
    return {"show_key": desk_prints_key(dossier), "received": _last_event(dossier, to_status=Status.RECEIVED)}


@bp.route("/hop-thu/ho-so/<int:dossier_id>/in/bo-sung")
@roles_required(*DOSSIER_READERS)
def print_supplement(dossier_id):
    """Form 02: the supplement request listing everything missing."""
    dossier = staff_dossier(dossier_id)
    requests = dossier.supplement_requests
    number = request.args.get("lan", type=int)
    chosen = next((r for r in requests if r.round == number), None) if number else (
        requests[-1] if requests else None)
    if chosen is None:
        abort(404)
    return _render("supplement.html", dossier, request_=chosen)


@bp.route("/hop-thu/ho-so/<int:dossier_id>/in/tu-choi")
@roles_required(*DOSSIER_READERS)
def print_refusal(dossier_id):
    """Form 03: refusal with its reason."""
    dossier, event = _with_event(dossier_id, to_status=Status.REFUSED)
    return _render("refusal.html", dossier, event=event)


@bp.route("/hop-thu/ho-so/<int:dossier_id>/in/xin-loi")
@roles_required(*DOSSIER_READERS)
def print_apology(dossier_id):
    """Form 04: apology and new appointment date."""
    dossier, event = _with_event(dossier_id, kind=EventKind.APOLOGY)

    data = event.data or {}
    new_due = date.fromisoformat(data["new_due"]) if data.get("new_due") else dossier.due_date
    old_due = date.fromisoformat(data["old_due"]) if data.get("old_due") else None
    return _render("apology.html", dossier, event=event, new_due=new_due, old_due=old_due)


@bp.route("/hop-thu/ho-so/<int:dossier_id>/in/dung-giai-quyet")
@roles_required(*DOSSIER_READERS)
def print_stop(dossier_id):
    """Form 05: notice that the office stopped handling the dossier (withdrawn at the villager's request)."""
    dossier, event = _with_event(dossier_id, to_status=Status.WITHDRAWN)
    return _render("stop.html", dossier, event=event)


@bp.route("/hop-thu/ho-so/<int:dossier_id>/in/phieu-kiem-soat")
@roles_required(*DOSSIER_READERS)
def print_control(dossier_id):
    """Form 06: process-control sheet — the dossier's path with times and hands."""
    dossier = staff_dossier(dossier_id)
    return _render("control.html", dossier, steps=control_steps(dossier))


def control_steps(dossier):
    """The steps Form 06 lists: who moved the dossier, and when."""
    return [e for e in dossier.events if e.kind in CONTROL_SHEET_KINDS]


def printable_links(dossier):
    """[(endpoint, label)] of the slips that exist for this dossier."""
    links = []
    if dossier.received_at:
        links.append(("inbox.print_receipt", N_("Giấy tiếp nhận và hẹn trả (01)")))
    if dossier.supplement_count:
        links.append(("inbox.print_supplement", N_("Phiếu yêu cầu bổ sung (02)")))
    if dossier.status == Status.REFUSED:
        links.append(("inbox.print_refusal", N_("Phiếu từ chối (03)")))
    if any(e.kind == EventKind.APOLOGY for e in dossier.events):
        links.append(("inbox.print_apology", N_("Phiếu xin lỗi và hẹn lại (04)")))
    if dossier.status == Status.WITHDRAWN:
        links.append(("inbox.print_stop", N_("Thông báo dừng giải quyết (05)")))
    links.append(("inbox.print_control", N_("Phiếu kiểm soát quá trình (06)")))
    return [(url_for(e, dossier_id=dossier.id), label) for e, label in links]


@bp.context_processor
def _printables():
    return {"printable_links": printable_links}
