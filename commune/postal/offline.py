"""Records made on the carrier's phone without signal, stored when the signal returns.

The phone queues each record (out, delivered, failed, returned) with an id it made itself and the
time it happened; it sends them one by one, in order. Each record ends in one outcome:

- ``stored``: recorded now (its id becomes the action's token, unique in postal_actions);
- ``duplicate``: already stored (the phone sent it twice: the answer to the first was lost);
- ``conflict``: the server's state wins (e.g. the office took the item back meanwhile) — nothing is
  stored and the carrier is told what happened to the item;
- ``refused``: the record can never be stored (not the carrier's item, bad input).
"""
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from flask_babel import gettext as _

from ..core.timeutil import to_local, utcnow
from ..extensions import db
from ..web.unit_of_work import refusal_rolls_back
from . import services
from .models import ACTION_DELIVERED, ACTION_FAILED, ACTION_OUT, ACTION_RETURNED, ManifestItem
from .states import ItemState

KINDS = (ACTION_OUT, ACTION_DELIVERED, ACTION_FAILED, ACTION_RETURNED)
# Size caps on what the phone sends with a delivery (it shrinks the photo first, and refuses
# before sending anything over these; the server refuses them too).
MAX_PHOTO_BYTES = 600 * 1024
MAX_SIGNATURE_BYTES = 100 * 1024
# A phone whose clock runs ahead cannot date a step in the future (a little drift is allowed).
CLOCK_DRIFT = timedelta(minutes=5)

STORED, DUPLICATE, CONFLICT, REFUSED = "stored", "duplicate", "conflict", "refused"
HTTP_STATUS = {STORED: 201, DUPLICATE: 200, CONFLICT: 409, REFUSED: 422}


@dataclass
class Outcome:
    """What became of one record, as the phone is told it."""

    outcome: str
    message: str = ""
    item: dict = field(default_factory=dict)

    @property
    def status(self):
        return HTTP_STATUS[self.outcome]

    def as_json(self, client_id):
        return {"id": client_id, "outcome": self.outcome, "message": self.message, "item": self.item}


def item_state(item):
    """The item as the server knows it now (what the phone shows after a conflict)."""
    return {"id": item.id, "state": item.state, "state_label": _(item.state_label),
            "failed_attempts": item.failed_attempts}


def phone_time(millis, item, now=None):
    """The phone's time (ms since the epoch, UTC) as naive UTC, kept within what can be true:
    not after the server's now (plus drift), not before the item was handed to the post."""
    now = now or utcnow()
    try:
        at = datetime.fromtimestamp(int(millis) / 1000, UTC).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        return now
    if at > now + CLOCK_DRIFT:
        return now
    at = min(at, now)
    if item.handed_at and at < item.handed_at:
        return item.handed_at
    return at


def _conflict(item):
    """The sentence for a record the server's state overrules."""
    state = ItemState(item.state)
    if state == ItemState.RETURNED:
        when = item.returned_at
        text = _("UBND xã đã nhận lại bưu gửi này (%(t)s). Ghi nhận của bạn không được lưu.",
                 t=to_local(when).strftime("%H:%M %d/%m") if when else "")
    elif state == ItemState.DELIVERED:
        text = _("Bưu gửi này đã được ghi nhận phát thành công. Ghi nhận của bạn không được lưu.")
    else:
        text = _("Bưu gửi này đang ở trạng thái «%(state)s». Ghi nhận của bạn không được lưu.",
                 state=_(item.state_label))
    return Outcome(CONFLICT, text, item_state(item))


def store(carrier, record, photo=None, signature=None):
    """Store one record from the phone (flush only). `record` holds the validated fields of
    RecordForm; `photo` and `signature` are (bytes, filename) or None."""
    client_id = record["client_id"]
    item = db.session.get(ManifestItem, record["item_id"])
    if item is None or item.carrier_id != carrier.id:
        # Another carrier's item, another office's, or a made-up id: answered alike.
        return Outcome(REFUSED, _("Bưu gửi này không có trong danh sách bạn đang giữ. Ghi nhận bị từ chối."))
    if services.already_recorded(client_id):
        return Outcome(DUPLICATE, _("Đã ghi nhận trước đó."), item_state(item))
    happened_at = phone_time(record["happened_at"], item)
    kind = record["kind"]
    with refusal_rolls_back(services.PostalError) as refusal:
        if kind == ACTION_OUT:
            services.mark_out(item, carrier, client_id, happened_at=happened_at)
        elif kind == ACTION_DELIVERED:
            received_by = record["relative_name"] if record["receiver"] == "relative" else ""
            services.mark_delivered(item, carrier, client_id, received_by=received_by,
                                    relation=record["relation"] if received_by else "",
                                    fee_collected=record["fee_collected"] == "yes",
                                    fee_amount=record["fee_amount"] if record["fee_amount"] is not None
                                    else item.fee_vnd,
                                    photo=photo, signature=signature, happened_at=happened_at)
        elif kind == ACTION_FAILED:
            services.mark_failed(item, carrier, client_id, record["reason"], record["note"],
                                 happened_at=happened_at)
        else:
            services.return_to_office(item, carrier, client_id, note=record["note"], happened_at=happened_at)
    if refusal:  # the server's state wins: nothing of this record is kept
        return _conflict(db.session.get(ManifestItem, record["item_id"]))
    return Outcome(STORED, _("Đã ghi nhận."), item_state(item))
