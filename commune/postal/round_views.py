"""The carrier's round, made to work without signal (postal accounts only).

Everything lives under /buu-chinh/phat/, the scope of the round's service worker: the round page,
the day's items as JSON (what the phone keeps), the endpoint that stores each record made offline,
the web app manifest and the service worker itself. The hand-back sheet ends the round; the office
confirms it.
"""
from pathlib import Path

from flask import Response, abort, current_app, flash, g, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, user_logged_out
from flask_wtf.csrf import generate_csrf

from ..accounts.permissions import roles_required
from ..core.forms import ButtonForm
from ..core.roles import CARRIERS, DESK, POST_ROOM, is_in
from ..core.timeutil import utcnow
from ..extensions import db
from ..files.photos import PhotoError
from ..web.unit_of_work import refusal_rolls_back
from . import bp, offline, rounds, services
from .models import FAIL_REASONS, ManifestItem, Round
from .round_forms import RELATIONS, HandBackForm, RecordForm, read_upload

SCOPE = "/buu-chinh/phat/"
STEPS = {"len": -1, "xuong": 1}


def _carrier_logged_out(_app, user=None, **_extra):
    if is_in(user, CARRIERS):
        g.clear_carrier_phone = True


@bp.record_once
def _listen_for_logout(state):
    user_logged_out.connect(_carrier_logged_out, state.app)


@bp.after_app_request
def _clear_carrier_phone(response):
    """A carrier's logout, from any page: the browser drops the round's copy (the day's items, the
    queue, the kept pages, the service worker). carrier-round.js also clears it on the round page,
    after asking if records still wait to be sent."""
    if g.pop("clear_carrier_phone", False):
        response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.route(SCOPE)
@roles_required(*CARRIERS)
def round_page():
    """The round: the items held, by village then address, in the carrier's order, each with its
    actions; what waits to be sent (carrier-round.js keeps it on the phone)."""
    return render_template("postal/round.html", current=rounds.open_round(current_user),
                           stops=rounds.stops(current_user), map_url=rounds.map_url,
                           new_token=services.new_token, reasons=FAIL_REASONS, relations=RELATIONS,
                           button=ButtonForm(), max_photo=offline.MAX_PHOTO_BYTES,
                           max_signature=offline.MAX_SIGNATURE_BYTES, max_attempts=services.max_attempts())


@bp.route(SCOPE + "bat-dau", methods=["POST"])
@roles_required(*CARRIERS)
def round_start():
    """One tap before leaving: the round starts (the page then takes the items onto the phone)."""
    if not ButtonForm().validate_on_submit():
        abort(400)
    rounds.start_round(current_user)
    flash(_("Đã bắt đầu chuyến phát. Danh sách bưu gửi đã được lưu vào máy."))
    return redirect(url_for("postal.round_page"))


@bp.route(SCOPE + "du-lieu.json")
@roles_required(*CARRIERS)
def round_data():
    """The day's items as the phone keeps them: recipient, phone, address, village, fee, reference.
    Never a dossier's code, documents or form answers."""
    current = rounds.open_round(current_user)
    items = [{
        "id": item.id, "reference": item.reference, "recipient": item.recipient_name,
        "phone": item.recipient_phone, "address": item.full_address, "village": item.village,
        "fee_vnd": item.fee_vnd, "state": item.state, "state_label": _(item.state_label),
        "failed_attempts": item.failed_attempts, "map_url": rounds.map_url(item.full_address),
    } for item in rounds.ordered_items(current_user)]
    return jsonify(carrier=current_user.id, round=current.id if current else None,
                   fetched_at=utcnow().isoformat() + "Z", csrf_token=generate_csrf(),
                   max_attempts=services.max_attempts(), items=items)


@bp.route(SCOPE + "ghi", methods=["POST"])
@roles_required(*CARRIERS)
def round_record():
    """Store one record made on the phone; the answer says stored, duplicate, conflict or refused."""
    form = RecordForm()
    client_id = form.client_id.data or ""
    if not form.validate_on_submit():
        return jsonify(id=client_id, outcome=offline.REFUSED, message=form.first_error(),
                       errors={k: [str(e) for e in v] for k, v in form.errors.items()}), 422
    photo = read_upload(form.photo.data, "anh.jpg")
    signature = read_upload(form.signature.data, "chu-ky.png")
    with refusal_rolls_back(PhotoError) as refusal:
        outcome = offline.store(current_user, form.record(), photo=photo, signature=signature)
    if refusal:
        outcome = offline.Outcome(offline.REFUSED, _(str(refusal.error)))
    return jsonify(outcome.as_json(client_id)), outcome.status


def _own_item(item_id):
    item = db.session.get(ManifestItem, item_id)
    if item is None:
        abort(404)
    if not item.can_handle(current_user):
        abort(403)
    return item


@bp.route(SCOPE + "xep/<int:item_id>/<any(len, xuong):direction>", methods=["POST"])
@roles_required(*CARRIERS)
def round_move_item(item_id, direction):
    """Move an item up or down within its village (works without JavaScript)."""
    return _move(item_id, direction, rounds.move_item)


@bp.route(SCOPE + "xep-thon/<int:item_id>/<any(len, xuong):direction>", methods=["POST"])
@roles_required(*CARRIERS)
def round_move_village(item_id, direction):
    """Move the village of an item up or down in the round."""
    return _move(item_id, direction, rounds.move_village)


def _move(item_id, direction, mover):
    item = _own_item(item_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if not mover(current_user, item, STEPS[direction]):
        abort(404)  # not on this round any more: nothing to move
    return redirect(url_for("postal.round_page") + f"#item-{item.id}")


@bp.route(SCOPE + "ket-thuc", methods=["POST"])
@roles_required(*CARRIERS)
def round_close():
    """End the round: the hand-back sheet is written (the phone then clears its copy)."""
    if not ButtonForm().validate_on_submit():
        abort(400)
    current = rounds.open_round(current_user)
    if current is None:
        flash(_("Bạn chưa bắt đầu chuyến phát nào."))
        return redirect(url_for("postal.round_page"))
    rounds.close_round(current)
    return redirect(url_for("postal.hand_back", round_id=current.id))


def _round_or_404(round_id):
    current = db.session.get(Round, round_id)
    if current is None or not current.can_view(current_user):
        abort(404)
    return current


@bp.route(SCOPE + "ban-giao/<int:round_id>")
@roles_required(*POST_ROOM)
def hand_back(round_id):
    """The hand-back sheet: cash per item and in total, items returned, items still out; the office's
    confirmation (or its form, for the office)."""
    current = _round_or_404(round_id)
    summary = rounds.sheet(current)
    form = HandBackForm(data={"cash_received": summary["cash_total"]}) if (
        is_in(current_user, DESK) and current.closed_at and not current.confirmed_at) else None
    return render_template("postal/hand_back.html", current=current, summary=summary, form=form,
                           items=rounds.items_by_id(summary))


@bp.route(SCOPE + "ban-giao/<int:round_id>/xac-nhan", methods=["POST"])
@roles_required(*DESK)
def hand_back_confirm(round_id):
    """The office confirms the cash and the returned items it received."""
    current = _round_or_404(round_id)
    form = HandBackForm()
    error = None
    if form.validate_on_submit():
        with refusal_rolls_back(services.PostalError) as refusal:
            rounds.confirm_hand_back(current, current_user, form.cash_received.data,
                                     form.returned_ok.data == "yes", form.note.data)
        if not refusal:
            flash(_("Đã xác nhận nhận tiền và bưu gửi trả về."))
            return redirect(url_for("postal.hand_back", round_id=current.id))
        error = _(str(refusal.error))
    summary = rounds.sheet(current)
    return render_template("postal/hand_back.html", current=current, summary=summary, form=form, error=error,
                           items=rounds.items_by_id(summary)), 400


@bp.route("/buu-chinh/ban-giao")
@roles_required(*DESK)
def hand_backs():
    """The office's list of ended rounds, those still to confirm first."""
    return render_template("postal/hand_backs.html", rounds=rounds.closed_rounds())


@bp.route(SCOPE + "sw.js")
@roles_required(*CARRIERS)
def service_worker():
    """The round's service worker (static/js/carrier-sw.js), served from the round's own path so
    its scope covers the carrier's pages only."""
    source = (Path(current_app.static_folder) / "js" / "carrier-sw.js").read_text(encoding="utf-8")
    response = Response(source, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = SCOPE
    return response


@bp.route(SCOPE + "manifest.webmanifest")
@roles_required(*CARRIERS)
def web_manifest():
    """The web app manifest: the round installs on the phone's home screen."""
    data = {
        "name": _("Chuyến phát — Một Cửa Xã"), "short_name": _("Chuyến phát"),
        "start_url": SCOPE, "scope": SCOPE, "display": "standalone", "lang": "vi",
        "background_color": "#ffffff", "theme_color": "#0b5394",
        "icons": [{"src": url_for("postal.app_icon"), "sizes": "any", "type": "image/svg+xml"}],
    }
    response = jsonify(data)
    response.mimetype = "application/manifest+json"
    return response


ICON = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 96 96"><rect width="96" height="96" rx="16" '
        'fill="#0b5394"/><path d="M18 30h60v40H18z" fill="#fff"/><path d="M18 30l30 22 30-22" fill="none" '
        'stroke="#0b5394" stroke-width="5"/></svg>')


@bp.route(SCOPE + "icon.svg")
def app_icon():
    """The round's home-screen icon (an envelope; nothing personal)."""
    return Response(ICON, mimetype="image/svg+xml")
