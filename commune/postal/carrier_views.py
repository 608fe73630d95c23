"""The carrier's pages (a phone, outdoors, weak signal): my items, confirm a manifest, each action.

Postal staff see only what delivery needs: recipient, phone, address, village, fee, and the item by
its postal reference (S10 number, or manifest number + line) — never the dossier's tracking code —
and only the manifests of their own post office or handed to them.
Each action form carries a one-time token, so a form sent twice is recorded once.
"""
from itertools import groupby

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from ..accounts.permissions import roles_required
from ..core.roles import CARRIERS, POST_ROOM, is_in
from ..dossiers.documents import page_response
from ..extensions import db
from ..files.photos import PhotoError
from ..web.unit_of_work import refusal_rolls_back
from . import bp, queries, services
from .forms import DeliveredForm, FailedForm, OpenManifestForm, TokenForm, confirm_form
from .models import MANIFEST_OPEN, ManifestItem
from .states import CARRIED, ItemState

DONE = "Đã ghi nhận."


@bp.after_request
def _private(response):
    """Names, phones and addresses: never kept by a shared cache or the browser's back history."""
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/buu-chinh")
@roles_required(*POST_ROOM)
def my_items():
    """What I hold, grouped by village (thôn/bản); the desk's staff land on the waiting list."""
    if not is_in(current_user, CARRIERS):
        return redirect(url_for("postal.waiting"))
    items = queries.items_held_by(current_user)
    villages = [(village, list(group)) for village, group in groupby(items, key=lambda i: i.village)]
    return render_template("postal/my_items.html", villages=villages, count=len(items),
                           new_token=services.new_token)


@bp.route("/buu-chinh/nhan-bang-ke", methods=["GET", "POST"])
@roles_required(*CARRIERS)
def open_manifest():
    """The post opens a manifest by the number printed on it."""
    form = OpenManifestForm()
    if form.validate_on_submit():
        number = _normalise_number(form.number.data)
        manifest = queries.manifest_by_number(number)
        if manifest is not None and manifest.can_open(current_user):
            return redirect(url_for("postal.confirm_manifest", number=number))
        form.number.errors.append(_("Không có bảng kê số này. Kiểm tra lại số in trên bảng kê."))
    return render_template("postal/open_manifest.html", form=form), 400 if form.errors else 200


def _normalise_number(text):
    """'bk 2026 1' or 'BK-2026-0001' -> 'BK-2026-0001'."""
    parts = [p for p in "".join(c if c.isalnum() else " " for c in text.upper()).split() if p != "BK"]
    if len(parts) == 2 and all(p.isascii() and p.isdigit() and len(p) <= 9 for p in parts):
        return f"BK-{parts[0]}-{int(parts[1]):04d}"
    return text.strip().upper()


@bp.route("/buu-chinh/bang-ke/<number>", methods=["GET", "POST"])
@roles_required(*POST_ROOM)
def confirm_manifest(number):
    """The post ticks what is really in the bag; unticked items are flagged missing for the clerk."""
    if not is_in(current_user, CARRIERS):
        return redirect(url_for("postal.manifest", number=number))
    manifest = queries.manifest_by_number(_normalise_number(number))
    if manifest is None or not manifest.can_open(current_user):
        abort(404)  # another office's manifest is answered as one that does not exist
    if manifest.status != MANIFEST_OPEN:
        return render_template("postal/confirm_manifest.html", manifest=manifest, form=None)
    form = confirm_form(manifest.items)()
    if request.method == "GET":
        form.token.data = services.new_token()
    error = None
    if form.validate_on_submit():
        received = {item.id: form[f"s10_{item.id}"].data or "" for item in manifest.items
                    if form[f"got_{item.id}"].data}
        with refusal_rolls_back(services.PostalError, IntegrityError, StaleDataError) as refusal:
            services.confirm_manifest(manifest, current_user, received, form.token.data)
        if isinstance(refusal.error, services.PostalError):
            error = _(str(refusal.error))
        elif refusal:  # the same form arrived twice at the same moment: the first one counts
            flash(_(DONE))
            return redirect(url_for("postal.my_items"))
        else:
            missing = sum(1 for i in manifest.items if i.id not in received)
            flash(_("Đã nhận %(n)s bưu gửi.", n=len(manifest.items) - missing)
                  + (" " + _("%(n)s bưu gửi thiếu đã được báo cho UBND xã.", n=missing) if missing else ""))
            return redirect(url_for("postal.my_items"))
    status = 400 if request.method == "POST" else 200
    return render_template("postal/confirm_manifest.html", manifest=manifest, form=form,
                           error=error), status


def _held_item(item_id, allow_desk=False):
    """The item, if the current postal staff member holds it (the desk may also take items back)."""
    item = db.session.get(ManifestItem, item_id)
    if item is None:
        abort(404)
    if not item.can_handle(current_user, desk=allow_desk):
        abort(403)
    return item


def _record(item, action, token, *args, **kwargs):
    """Run one delivery action (flushed; the request commits it); a resent form (same token) counts once.
    Returns an error or None."""
    with refusal_rolls_back(services.PostalError, IntegrityError, StaleDataError) as refusal:
        action(item, current_user, token, *args, **kwargs)
    if not refusal or services.already_recorded(token):
        return None
    if isinstance(refusal.error, services.PostalError):
        return _(str(refusal.error))
    return _("Có thay đổi cùng lúc. Vui lòng thử lại.")  # the same form arrived twice at the same moment


def _back(item):
    if not is_in(current_user, CARRIERS):
        return redirect(url_for("postal.manifest", number=item.manifest.number))
    return redirect(url_for("postal.my_items") + f"#item-{item.id}")


@bp.route("/buu-chinh/buu-gui/<int:item_id>")
@roles_required(*POST_ROOM)
def item(item_id):
    """One item: who, where, the fee, and big buttons for each action (the desk sees its manifest)."""
    item = _held_item(item_id, allow_desk=True)
    if not is_in(current_user, CARRIERS):
        return redirect(url_for("postal.manifest", number=item.manifest.number) + f"#item-{item.id}")
    return render_template("postal/item.html", item=item, new_token=services.new_token,
                           carried=item.state in CARRIED, max_attempts=services.max_attempts())


@bp.route("/buu-chinh/buu-gui/<int:item_id>/di-phat", methods=["POST"])
@roles_required(*CARRIERS)
def item_out(item_id):
    """Out for delivery (one tap)."""
    item = _held_item(item_id)
    form = TokenForm()
    if not form.validate_on_submit():
        abort(400)
    error = _record(item, services.mark_out, form.token.data)
    flash(error or _(DONE))
    return _back(item)


@bp.route("/buu-chinh/buu-gui/<int:item_id>/da-phat", methods=["GET", "POST"])
@roles_required(*CARRIERS)
def item_delivered(item_id):
    """Delivered: who received it, fee collected, optional photo proof."""
    item = _held_item(item_id)
    form = DeliveredForm()
    if request.method == "GET":
        form.token.data = services.new_token()
        form.fee_amount.data = item.fee_vnd
        form.fee_collected.data = "yes" if item.fee_vnd else "no"
    error = None
    if form.validate_on_submit():
        photo = None
        upload = form.photo.data
        if upload and getattr(upload, "filename", ""):
            photo = (upload.read(), upload.filename)
        received_by = form.relative_name.data.strip() if form.receiver.data == "relative" else ""
        collected = form.fee_collected.data == "yes"
        amount = form.fee_amount.data if form.fee_amount.data is not None else item.fee_vnd
        with refusal_rolls_back(PhotoError) as refusal:
            error = _record(item, services.mark_delivered, form.token.data, received_by=received_by,
                            fee_collected=collected, fee_amount=amount, photo=photo)
        if refusal:  # a refused photo: say why next to the field, keep the rest of the form
            form.photo.errors.append(_(str(refusal.error)))
        elif error is None:
            flash(_(DONE))
            return _back(item)
    status = 400 if request.method == "POST" else 200
    return render_template("postal/delivered.html", item=item, form=form, error=error), status


@bp.route("/buu-chinh/buu-gui/<int:item_id>/khong-phat-duoc", methods=["GET", "POST"])
@roles_required(*CARRIERS)
def item_failed(item_id):
    """A failed attempt and why; the last allowed attempt sends the item back to the office."""
    item = _held_item(item_id)
    form = FailedForm()
    if request.method == "GET":
        form.token.data = services.new_token()
    error = None
    if form.validate_on_submit():
        error = _record(item, services.mark_failed, form.token.data, form.reason.data, form.note.data)
        if error is None:
            flash(_(DONE) + (" " + _("Bưu gửi chuyển trả về UBND xã.") if item.state == ItemState.RETURNED else ""))
            return _back(item)
    status = 400 if request.method == "POST" else 200
    return render_template("postal/failed.html", item=item, form=form, error=error,
                           max_attempts=services.max_attempts()), status


@bp.route("/buu-chinh/buu-gui/<int:item_id>/tra-ve", methods=["POST"])
@roles_required(*POST_ROOM)
def item_return(item_id):
    """The item goes back to the office (the carrier, or the desk receiving it back)."""
    item = _held_item(item_id, allow_desk=True)
    form = TokenForm()
    if not form.validate_on_submit():
        abort(400)
    error = _record(item, services.return_to_office, form.token.data)
    flash(error or _("Đã ghi nhận trả về UBND xã."))
    return _back(item)


@bp.route("/buu-chinh/buu-gui/<int:item_id>/anh-giao-nhan")
@roles_required(*CARRIERS)
def proof(item_id):
    """The delivery photo the carrier took, to the carrier who holds the item: never a document."""
    item = _held_item(item_id)
    row = item.proof_file
    if row is None:
        abort(404)
    return page_response(row)
