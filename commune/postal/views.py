"""Postal pages for the villager (how to receive the result) and the clerk (waiting list, manifests)."""
import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError

from ..accounts.permissions import roles_required
from ..core.phone import format_phone
from ..core.qr import make_qr
from ..core.roles import CARRIERS, DESK, POST_ROOM, is_in
from ..core.settings import get_settings
from ..dossiers.access import villager_may_view
from ..dossiers.address import address_parts, delivery_address, delivery_address_parts, format_address
from ..dossiers.codes import normalise_code
from ..dossiers.models import Dossier
from ..extensions import db
from ..web.unit_of_work import refusal_rolls_back
from . import bp, queries, services
from .forms import ChangeMethodForm, manifest_form
from .models import FAIL_REASONS


@bp.app_template_filter("address")
def address_filter(address, village=""):
    """'Xã Yên Bình, tỉnh X'|address('Thôn Đông') -> 'Thôn Đông, Xã Yên Bình, tỉnh X' (dossiers/address.py)."""
    return format_address(address, village)


@bp.app_template_filter("delivery_address")
def delivery_address_filter(dossier):
    """Where the dossier's result goes by post, from the smallest unit to the largest."""
    return delivery_address(dossier)


def _isolated(parts):
    """Each typed part in its own <bdi>, so a right-to-left or spoofed part cannot reorder the others."""
    return Markup(", ").join(Markup("<bdi>%s</bdi>") % part for part in parts)


@bp.app_template_filter("address_bdi")
def address_bdi_filter(address, village=""):
    """format_address() as HTML, each part isolated (for pages that show villagers' typed text)."""
    return _isolated(address_parts(address, village))


@bp.app_template_filter("delivery_address_bdi")
def delivery_address_bdi_filter(dossier):
    return _isolated(delivery_address_parts(dossier))


@bp.app_template_filter("postal_phone")
def postal_phone(phone):
    """0912345678 -> 0912 345 678 (easy to read aloud on the phone)."""
    return format_phone(phone)


def _dossier_for_villager(code):
    dossier = db.session.scalar(sa.select(Dossier).where(Dossier.code == normalise_code(code)))
    if dossier is None or not villager_may_view(dossier):
        abort(404)
    return dossier


def external_url(endpoint, **values):
    """An absolute URL for a QR code, on the configured address (never the Host header)."""

    return absolute_for(endpoint, **values)


def qr_svg(text, title=""):
    """A QR code as inline SVG markup (no style attribute, so the strict CSP allows it)."""
    svg = make_qr(text).svg_inline(scale=2, border=2, title=title or None)
    return Markup(svg)


@bp.route("/ho-so/<code>/nhan-ket-qua", methods=["GET", "POST"])
def change_method(code):
    """The villager chooses (or changes) how to receive the result: at the office or by post."""
    dossier = _dossier_for_villager(code)
    changeable = services.can_change_method(dossier)
    allowed = services.postal_allowed(dossier)
    form = ChangeMethodForm(data=None if request.method == "POST" else {
        "method": dossier.result_method,
        "name": dossier.delivery_name or dossier.applicant_name,
        "phone": dossier.delivery_phone or dossier.applicant_phone,
        "address": dossier.delivery_address or dossier.applicant_address,
        "village": dossier.delivery_village or dossier.applicant_village,
        "note": dossier.delivery_note,
    })
    error = None
    if changeable and form.validate_on_submit():
        with refusal_rolls_back(services.PostalError) as refusal:
            services.change_method(dossier, form.method.data, form.name.data, form.phone.data,
                                   form.address.data, form.village.data, form.note.data)
        if not refusal:
            flash(_("Đã lưu cách nhận kết quả."))
            return redirect(url_for("postal.change_method", code=dossier.code))
        error = _(str(refusal.error))
    status = 400 if request.method == "POST" and (form.errors or error or not changeable) else 200
    return render_template(
        "postal/change_method.html", dossier=dossier, form=form, changeable=changeable,
        allowed=allowed, error=error, fee_note=get_settings()["postal_fee_note"],
        steps=queries.delivery_events(dossier), item=queries.latest_item(dossier),
    ), status


@bp.route("/buu-chinh/cho-chuyen")
@roles_required(*DESK)
def waiting():
    """Results ready to go home by post and not yet on a manifest."""
    dossiers = queries.waiting_dossiers()
    return render_template("postal/waiting.html", dossiers=dossiers,
                           flagged=queries.missing_before([d.id for d in dossiers]),
                           manifests=queries.manifests(limit=10))


@bp.route("/buu-chinh/bang-ke/moi", methods=["GET", "POST"])
@roles_required(*DESK)
def new_manifest():
    """The clerk picks which ready results go in the bag and makes the handover manifest."""
    dossiers = queries.waiting_dossiers()
    # ?d=<id> from a dossier page, ?ids=<id>&ids=… from the inbox's ticked rows.
    preselect = set(request.args.getlist("d", type=int)) | set(request.args.getlist("ids", type=int))
    offices = queries.post_offices()
    form = manifest_form(dossiers, offices)()
    if request.method == "GET":
        for d in dossiers:
            form[f"pick_{d.id}"].data = not preselect or d.id in preselect
    error = None
    if form.validate_on_submit():
        picked = [d for d in dossiers if form[f"pick_{d.id}"].data]
        fees = {d.id: form[f"fee_{d.id}"].data or 0 for d in picked}
        with refusal_rolls_back(services.PostalError, IntegrityError) as refusal:
            manifest = services.create_manifest(picked, current_user, fees,
                                                post_office=form.post_office.data if offices else "")
        if not refusal:
            flash(_("Đã lập bảng kê %(n)s. Hãy in và giao cho bưu điện.", n=manifest.number))
            return redirect(url_for("postal.manifest_print", number=manifest.number))
        if isinstance(refusal.error, IntegrityError):  # another clerk took the same number at the same moment
            error = _("Có người vừa lập bảng kê cùng lúc. Vui lòng bấm lại.")
        else:
            error = _(str(refusal.error))
    status = 400 if request.method == "POST" else 200
    return render_template("postal/new_manifest.html", form=form, dossiers=dossiers, error=error, offices=offices,
                           flagged=queries.missing_before([d.id for d in dossiers])), status


@bp.route("/buu-chinh/bang-ke")
@roles_required(*DESK)
def manifests():
    """Recent handover manifests and where their items are."""
    return render_template("postal/manifests.html", manifests=queries.manifests(limit=100))


def _manifest_or_404(number):
    """The manifest; for a postal account only one of its own office or handed to it (404 otherwise)."""
    manifest = queries.manifest_by_number(number.strip().upper())
    if manifest is None:
        abort(404)
    if is_in(current_user, CARRIERS) and not manifest.can_open(current_user):
        abort(404)
    return manifest


@bp.route("/buu-chinh/bang-ke/<number>/xem")
@roles_required(*DESK)
def manifest(number):
    """The clerk follows each item of a manifest, with its delivery steps (missing ones flagged)."""
    manifest = _manifest_or_404(number)
    return render_template("postal/manifest.html", manifest=manifest, reasons=FAIL_REASONS,
                           new_token=services.new_token)


@bp.route("/buu-chinh/bang-ke/<number>/in")
@roles_required(*POST_ROOM)
def manifest_print(number):
    """The printable A4 manifest: one row and one QR code per item, signature boxes for both sides."""
    manifest = _manifest_or_404(number)
    qr = {item.id: qr_svg(external_url("postal.item", item_id=item.id), title=item.reference)
          for item in manifest.items}
    manifest_qr = qr_svg(external_url("postal.confirm_manifest", number=manifest.number),
                         title=manifest.number)
    return render_template("postal/manifest_print.html", manifest=manifest, qr=qr,
                           manifest_qr=manifest_qr, settings=get_settings())



from ..web.public_urls import absolute_for
from . import carrier_views, round_views  # noqa: E402,F401
