"""The carrier's round: its order (village, then address, as the carrier arranges it), its start,
and its end with the hand-back sheet the office confirms.

Every function flushes and never commits: the view commits once per request.
"""
from itertools import groupby
from urllib.parse import quote

import sqlalchemy as sa

from ..core.i18n import N_
from ..core.timeutil import utcnow
from ..dossiers.address import fold
from ..extensions import db
from . import queries
from .models import ACTION_DELIVERED, ACTION_RETURNED, DeliveryAction, ManifestItem, Round
from .services import PostalError
from .states import CARRIED


def open_round(carrier):
    """The carrier's round in progress, or None."""
    return db.session.scalar(sa.select(Round).where(Round.carrier_id == carrier.id, Round.closed_at.is_(None)))


def start_round(carrier):
    """Start the day's round (the open one if there is one already)."""
    current = open_round(carrier)
    if current is not None:
        return current
    current = Round(carrier_id=carrier.id, started_at=utcnow())
    db.session.add(current)
    db.session.flush()
    return current


def ordered_items(carrier):
    """The items the carrier holds in the round's order: the carrier's own order first, new items
    after it; always together by village, then by address."""
    items = sorted(queries.items_held_by(carrier), key=lambda i: (
        i.route_position is None, i.route_position or 0, fold(i.village), fold(i.address),
        fold(i.recipient_name), i.id))
    villages = {}
    for item in items:  # villages in order of first appearance; each village's items in order
        villages.setdefault(fold(item.village), []).append(item)
    return [item for group in villages.values()
            for item in sorted(group, key=lambda i: (i.route_position is None, i.route_position or 0,
                                                     fold(i.address)))]


def stops(carrier):
    """[(village, [(address, [items])])]: the round as the carrier walks it."""
    result = []
    for _key, village_items in groupby(ordered_items(carrier), key=lambda i: fold(i.village)):
        village_items = list(village_items)
        addresses = [(items[0].full_address, items) for items in
                     (list(g) for _k, g in groupby(village_items, key=lambda i: fold(i.address)))]
        result.append((village_items[0].village, addresses))
    return result


def map_url(address):
    """A link the phone opens in its own map app (a search for the address text; no tiles here)."""
    return "geo:0,0?q=" + quote(address, safe="")


def _renumber(items):
    for position, item in enumerate(items, start=1):
        item.route_position = position
    db.session.flush()


def move_item(carrier, item, step):
    """Move an item one place up (step -1) or down (+1) among the items of its village.
    False when the item is not on the carrier's round (delivered, returned, never taken)."""
    items = ordered_items(carrier)
    if item not in items:
        return False
    same_village = [i for i in items if fold(i.village) == fold(item.village)]
    at = same_village.index(item)
    to = at + step
    if 0 <= to < len(same_village):
        other = same_village[to]
        a, b = items.index(item), items.index(other)
        items[a], items[b] = other, item
    _renumber(items)
    return True


def move_village(carrier, item, step):
    """Move the whole village of `item` one place up or down in the round (False: not on it)."""
    items = ordered_items(carrier)
    if item not in items:
        return False
    groups = [list(g) for _k, g in groupby(items, key=lambda i: fold(i.village))]
    at = next(n for n, group in enumerate(groups) if item in group)
    to = at + step
    if 0 <= to < len(groups):
        groups[at], groups[to] = groups[to], groups[at]
    _renumber([i for group in groups for i in group])
    return True


def _line(item, amount=None):
    line = {"item": item.id, "reference": item.reference}
    if amount is not None:
        line["amount"] = amount
    return line


def round_actions(current, kind):
    return db.session.scalars(sa.select(DeliveryAction).where(
        DeliveryAction.round_id == current.id, DeliveryAction.kind == kind,
        DeliveryAction.actor_id == current.carrier_id).order_by(DeliveryAction.id)).all()


def sheet(current):
    """What the hand-back sheet lists: cash per delivered item and in total, the items returned to
    the office, the items still out. For a closed round, as it was at its close."""
    if current.summary is not None:
        return current.summary
    cash = [_line(a.item, a.item.fee_collected_vnd) for a in round_actions(current, ACTION_DELIVERED)
            if a.item.fee_collected]
    returned = [_line(a.item) for a in round_actions(current, ACTION_RETURNED)]
    still_out = [_line(i) for i in db.session.scalars(sa.select(ManifestItem).where(
        ManifestItem.carrier_id == current.carrier_id, ManifestItem.state.in_(CARRIED))
        .order_by(ManifestItem.id))]
    return {"cash": cash, "cash_total": sum(line["amount"] for line in cash), "returned": returned,
            "still_out": still_out}


def close_round(current):
    """The carrier ends the round: the sheet is written down as it is now."""
    if current.closed_at is not None:
        raise PostalError(N_("Chuyến phát này đã kết thúc."))
    summary = sheet(current)
    current.summary = summary
    current.cash_total_vnd = summary["cash_total"]
    current.closed_at = utcnow()
    db.session.flush()
    return current


def confirm_hand_back(current, clerk, cash_received, returned_ok, note=""):
    """The office confirms what it received from the carrier (once)."""
    if current.closed_at is None:
        raise PostalError(N_("Bưu tá chưa kết thúc chuyến phát này."))
    if current.confirmed_at is not None:
        raise PostalError(N_("Bảng bàn giao này đã được xác nhận."))
    current.confirmed_at = utcnow()
    current.confirmed_by_id = clerk.id
    current.cash_received_vnd = max(0, int(cash_received or 0))
    text = (note or "").strip()
    if not returned_ok:
        text = ("Thiếu bưu gửi trả về: " + text).strip()
    current.confirm_note = text[:300]
    db.session.flush()
    return current


def items_by_id(summary):
    """The items a sheet names, by id (their recipient shown live: erased with the dossier)."""
    ids = {line["item"] for key in ("cash", "returned", "still_out") for line in summary.get(key, [])}
    if not ids:
        return {}
    return {i.id: i for i in db.session.scalars(sa.select(ManifestItem).where(ManifestItem.id.in_(ids)))}


def closed_rounds(limit=50):
    """Rounds ended by their carrier, those the office has not confirmed first."""
    return db.session.scalars(sa.select(Round).where(Round.closed_at.is_not(None))
                              .order_by(Round.confirmed_at.is_not(None), Round.closed_at.desc())
                              .limit(limit)).all()
