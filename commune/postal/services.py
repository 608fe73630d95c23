"""Postal operations: the villager's choice, manifests, handover, and each delivery action.

Every function flushes and never commits: the view commits once per request.
Status changes go through workflow.transition(); other steps are events.
"""
import secrets

import sqlalchemy as sa
from flask import current_app

from ..core.domain_error import DomainError
from ..core.i18n import N_
from ..core.timeutil import to_local, utcnow
from ..dossiers.attachments import attach_file
from ..dossiers.events import EventKind
from ..dossiers.models import RESULT_AT_OFFICE, RESULT_BY_POST
from ..dossiers.states import Status
from ..dossiers.workflow import record_event, transition
from ..extensions import db
from ..payments.queries import left_to_pay
from . import s10
from .models import (
    ACTION_DELIVERED,
    ACTION_FAILED,
    ACTION_OUT,
    ACTION_RETURNED,
    FAIL_REASONS,
    MANIFEST_CONFIRMED,
    MANIFEST_OPEN,
    DeliveryAction,
    Manifest,
    ManifestItem,
    Round,
)
from .states import ACTIVE, CARRIED, ItemState, move

DEFAULT_MAX_ATTEMPTS = 3
# Until the result is on a manifest the villager may still change how to receive it.
METHOD_CHANGEABLE = frozenset({Status.SUBMITTED, Status.RECEIVED, Status.PROCESSING,
                               Status.NEEDS_SUPPLEMENT, Status.READY})


class PostalError(DomainError):
    """A step that cannot be done now; the message (a Vietnamese msgid) is shown to the user."""


def new_token():
    """A one-time token for an action form (a resent form is then recorded once)."""
    return secrets.token_urlsafe(24)


def max_attempts():
    """Failed attempts after which the item goes back to the office (COMMUNE_MAX_DELIVERY_ATTEMPTS)."""
    return int(current_app.config.get("COMMUNE_MAX_DELIVERY_ATTEMPTS", DEFAULT_MAX_ATTEMPTS) or
               DEFAULT_MAX_ATTEMPTS)


def postal_allowed(dossier):
    """Whether the dossier's procedure (as it was when submitted) allows the result by post."""
    snap = dossier.procedure_snapshot or {}
    if "postal_return_allowed" in snap:
        return bool(snap["postal_return_allowed"])
    return bool(dossier.procedure and dossier.procedure.postal_return_allowed)


def active_item(dossier):
    """The item carrying this dossier's result now (on a manifest, with the post), or None."""
    return db.session.scalar(sa.select(ManifestItem).where(
        ManifestItem.dossier_id == dossier.id, ManifestItem.state.in_(ACTIVE)))


def can_change_method(dossier):
    """The villager may still switch office/post: the result is not yet on its way."""
    return Status(dossier.status) in METHOD_CHANGEABLE and active_item(dossier) is None


def change_method(dossier, method, name="", phone="", address="", village="", note=""):
    """Record the villager's choice of how to receive the result (event public)."""
    if not can_change_method(dossier):
        raise PostalError(N_("Kết quả đã được bàn giao cho bưu điện, không thể đổi cách nhận nữa."))
    if method == RESULT_BY_POST:
        if not postal_allowed(dossier):
            raise PostalError(N_("Thủ tục này không trả kết quả qua bưu chính."))
        dossier.result_method = RESULT_BY_POST
        # A field the browser left out arrives as None.
        dossier.delivery_name = (name or "").strip()
        dossier.delivery_phone = (phone or "").strip()
        dossier.delivery_address = (address or "").strip()
        dossier.delivery_village = (village or "").strip()
        dossier.delivery_note = (note or "").strip()
        text = f"Chọn nhận kết quả qua bưu chính tại: {dossier.delivery_address}"
    else:
        dossier.result_method = RESULT_AT_OFFICE
        text = "Chọn nhận kết quả tại Bộ phận Một cửa"
    record_event(dossier, EventKind.DELIVERY_METHOD, note=text, public=True,
                 data={"method": dossier.result_method})
    db.session.flush()


def is_waiting(dossier):
    """Ready, to go by post, and not already on its way."""
    return (dossier.status == Status.READY and dossier.result_method == RESULT_BY_POST
            and active_item(dossier) is None)


def _next_number(year):
    last = db.session.scalar(sa.select(sa.func.max(Manifest.seq)).where(Manifest.year == year)) or 0
    return last + 1


def create_manifest(dossiers, clerk, fees=None, post_office=""):
    """Put ready postal results on a new handover manifest (BK-<year>-<nnnn>) for one post office."""
    if not dossiers:
        raise PostalError(N_("Chọn ít nhất một kết quả để bàn giao."))
    for dossier in dossiers:
        if not is_waiting(dossier):
            raise PostalError(N_("Có hồ sơ không còn chờ chuyển phát. Vui lòng tải lại danh sách."))
    fees = fees or {}
    year = to_local(utcnow()).year
    seq = _next_number(year)
    manifest = Manifest(number=f"BK-{year}-{seq:04d}", year=year, seq=seq, status=MANIFEST_OPEN,
                        created_by_id=clerk.id, created_at=utcnow(), post_office=(post_office or "").strip())
    db.session.add(manifest)
    for position, dossier in enumerate(dossiers, start=1):
        fee = fees.get(dossier.id, left_to_pay(dossier))
        manifest.items.append(ManifestItem(
            dossier=dossier, position=position, state=ItemState.PENDING,
            recipient_name=dossier.delivery_name or dossier.applicant_name,
            recipient_phone=dossier.delivery_phone or dossier.applicant_phone,
            address=dossier.delivery_address or dossier.applicant_address,
            village=dossier.delivery_village or dossier.applicant_village,
            carrier_note=dossier.delivery_note, fee_vnd=max(0, int(fee or 0)),
        ))
        record_event(dossier, EventKind.DELIVERY_MANIFEST, clerk, public=False,
                     note=f"Đưa vào bảng kê bàn giao {manifest.number}",
                     data={"manifest": manifest.number})
    db.session.flush()
    return manifest


def confirm_manifest(manifest, postal_user, received, token):
    """The post ticks what it received: ticked items are handed over, the others flagged missing.

    `received` maps item id -> carrier item number ("" if none) for every ticked item.
    Returns False if this form was already recorded.
    """
    if manifest.confirm_token == token:
        return False
    if manifest.status != MANIFEST_OPEN:
        raise PostalError(N_("Bảng kê này đã được xác nhận."))
    if not received:
        raise PostalError(N_("Đánh dấu ít nhất một bưu gửi đã nhận."))
    now = utcnow()
    manifest.status = MANIFEST_CONFIRMED
    manifest.confirmed_at = now
    manifest.confirmed_by_id = postal_user.id
    manifest.confirm_token = token
    for item in manifest.items:
        dossier = item.dossier
        still_ready = dossier.status == Status.READY and dossier.result_method == RESULT_BY_POST
        if item.id in received and still_ready:
            number = s10.normalize(received[item.id])
            if number and not s10.is_valid(number):
                raise PostalError(N_("Số hiệu bưu gửi không đúng."))
            item.carrier_id = postal_user.id
            item.handed_at = now
            item.item_number = number or None
            transition(dossier, Status.DELIVERING, postal_user, public=True,
                       note="Bưu điện đã nhận kết quả để chuyển phát")
            move(item, ItemState.HELD, postal_user, EventKind.DELIVERY_HANDED,
                 note="Kết quả đã được giao cho bưu điện để chuyển phát đến ông/bà",
                 data={"manifest": manifest.number, "item_number": item.item_number})
        else:
            why = ("Không có trong túi khi bưu điện nhận bảng kê {}" if still_ready else
                   "Không còn chờ chuyển phát khi bưu điện nhận bảng kê {}")
            move(item, ItemState.MISSING, postal_user, EventKind.DELIVERY_MISSING, public=False,
                 note=why.format(manifest.number), data={"manifest": manifest.number})
    db.session.flush()
    return True


def already_recorded(token):
    """Whether an action with this form token exists (the form was sent before)."""
    return db.session.scalar(sa.select(DeliveryAction.id).where(DeliveryAction.token == token)) is not None


def _action(item, kind, user, token, reason=None, note="", happened_at=None):
    round_id = db.session.scalar(sa.select(Round.id).where(
        Round.carrier_id == item.carrier_id, Round.closed_at.is_(None))) if item.carrier_id else None
    action = DeliveryAction(item=item, kind=kind, actor_id=user.id, token=token, reason=reason,
                            note=(note or "").strip()[:300], at=utcnow(), happened_at=happened_at,
                            round_id=round_id)
    db.session.add(action)
    return action


def _at_phone_time(action, *events):
    """An offline record: its events carry the time it happened on the phone (the villager's
    timeline shows it); the time it reached the server stays on the action and in the event's data."""
    if action.happened_at is None:
        return
    for event in events:
        event.at = action.happened_at
        event.data = {**(event.data or {}), "received_at": action.at.isoformat() + "Z"}


def _require(item, states, message):
    if item.state not in states:
        raise PostalError(message)


def mark_out(item, carrier, token, happened_at=None):
    """The carrier takes the item out for delivery (a public step)."""
    if already_recorded(token):
        return None
    _require(item, (ItemState.HELD,), "Bưu gửi này không ở trạng thái chờ đi phát.")
    action = _action(item, ACTION_OUT, carrier, token, happened_at=happened_at)
    event = move(item, ItemState.OUT, carrier, EventKind.DELIVERY_OUT,
                 note="Bưu tá đang mang kết quả đến cho ông/bà", data={"item": item.id})
    _at_phone_time(action, event)
    db.session.flush()
    return action


def mark_delivered(item, carrier, token, received_by="", fee_collected=False, fee_amount=0,
                   photo=None, signature=None, relation="", happened_at=None):
    """Delivered: who received it (and their relation), the fee collected, an optional photo and
    signature (each (bytes, filename)); the dossier is returned."""
    if already_recorded(token):
        return None
    _require(item, CARRIED, "Bưu gửi này không còn do bưu điện giữ.")
    dossier = item.dossier
    proof = attach_file(dossier, *photo, purpose="proof") if photo is not None else None
    signed = attach_file(dossier, *signature, purpose="signature") if signature is not None else None
    action = _action(item, ACTION_DELIVERED, carrier, token, note=received_by, happened_at=happened_at)
    item.delivered_at = action.when
    item.received_by = (received_by or "").strip()[:200]
    item.received_relation = (relation or "").strip()[:40]
    item.fee_collected = bool(fee_collected)
    item.fee_collected_vnd = max(0, int(fee_amount or 0)) if fee_collected else 0
    if proof is not None or signed is not None:
        db.session.flush()
        item.proof_file_id = proof.id if proof is not None else item.proof_file_id
        item.signature_file_id = signed.id if signed is not None else item.signature_file_id
    who = item.received_by or dossier.delivery_name or dossier.applicant_name
    event = move(item, ItemState.DELIVERED, carrier, EventKind.DELIVERY_DELIVERED,
                 note=f"Đã phát kết quả thành công. Người nhận: {who}",
                 data={"item": item.id, "received_by": item.received_by, "relation": item.received_relation,
                       "fee_collected_vnd": item.fee_collected_vnd, "proof_file_id": item.proof_file_id,
                       "signature_file_id": item.signature_file_id})
    status_event = transition(dossier, Status.RETURNED, carrier, public=True,
                              note="Đã trả kết quả qua bưu chính")
    _at_phone_time(action, event, status_event)
    dossier.finished_at = action.when  # the time of delivery counts for early / on time / late
    db.session.flush()
    return action


def mark_failed(item, carrier, token, reason, note="", happened_at=None):
    """A failed attempt with its reason; after the last allowed attempt the item goes back."""
    if already_recorded(token):
        return None
    _require(item, CARRIED, "Bưu gửi này không còn do bưu điện giữ.")
    if reason not in FAIL_REASONS:
        raise PostalError(N_("Chọn lý do."))
    action = _action(item, ACTION_FAILED, carrier, token, reason=reason, note=note, happened_at=happened_at)
    item.failed_attempts += 1
    text = FAIL_REASONS[reason]
    if action.note:
        text += " — " + action.note
    event = move(item, ItemState.HELD, carrier, EventKind.DELIVERY_FAILED, note=text,
                 data={"item": item.id, "reason": reason, "attempt": item.failed_attempts})
    _at_phone_time(action, event)
    if item.failed_attempts >= max_attempts():
        return_to_office(item, carrier, token + ":back", happened_at=happened_at,
                         note=f"Sau {item.failed_attempts} lần phát không thành công")
    db.session.flush()
    return action


def return_to_office(item, user, token, note="", happened_at=None):
    """The item goes back to the office: the dossier is ready again, to collect at the desk."""
    if already_recorded(token):
        return None
    _require(item, CARRIED, "Bưu gửi này không còn do bưu điện giữ.")
    action = _action(item, ACTION_RETURNED, user, token, note=note, happened_at=happened_at)
    item.returned_at = action.when
    dossier = item.dossier
    dossier.result_method = RESULT_AT_OFFICE
    status_event = transition(dossier, Status.READY, user, public=True,
                              note="Bưu điện chuyển trả kết quả về UBND xã")
    text = "Bưu điện đã chuyển trả kết quả về UBND xã. Mời ông/bà đến Bộ phận Một cửa để nhận."
    if note:
        text += " (" + note + ")"
    event = move(item, ItemState.RETURNED, user, EventKind.DELIVERY_RETURNED, note=text, data={"item": item.id})
    _at_phone_time(action, status_event, event)
    db.session.flush()
    return action
