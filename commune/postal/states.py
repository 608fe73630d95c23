"""A postal item's life: its states, their labels and badge tones, the moves allowed, and move().

No code assigns ManifestItem.state anywhere else: every change goes through move(), which
checks the move and writes the dossier's delivery event in the same flush (as the dossier's
own workflow.transition() does for its status).
"""
from enum import StrEnum

from ..core.domain_error import DomainError
from ..dossiers.workflow import record_event


class ItemState(StrEnum):
    PENDING = "pending"      # on an open manifest
    MISSING = "missing"      # not in the bag when the post confirmed
    HELD = "held"            # handed to the post, held by a carrier
    OUT = "out"              # out for delivery
    DELIVERED = "delivered"
    RETURNED = "returned"    # brought back to the office after failed attempts

    @property
    def label(self):
        """The state's name for people (a msgid: templates show it through _())."""
        return _LABELS[self]

    @property
    def tone(self):
        return _TONES[self]


_LABELS = {
    ItemState.PENDING: "Chờ bưu điện nhận",
    ItemState.MISSING: "Thiếu khi bàn giao",
    ItemState.HELD: "Bưu điện đang giữ",
    ItemState.OUT: "Đang đi phát",
    ItemState.DELIVERED: "Đã phát",
    ItemState.RETURNED: "Trả về UBND xã",
}
_TONES = {
    ItemState.PENDING: "blue", ItemState.MISSING: "red", ItemState.HELD: "blue", ItemState.OUT: "green",
    ItemState.DELIVERED: "grey", ItemState.RETURNED: "amber",
}

S = ItemState
# A failed attempt leaves the item with the carrier (held → held, out → held) for the next one.
MOVES = {
    S.PENDING: {S.HELD, S.MISSING},
    S.HELD: {S.OUT, S.HELD, S.DELIVERED, S.RETURNED},
    S.OUT: {S.HELD, S.DELIVERED, S.RETURNED},
    S.MISSING: set(),
    S.DELIVERED: set(),
    S.RETURNED: set(),
}
ACTIVE = (S.PENDING, S.HELD, S.OUT)  # still on its way: the dossier cannot go on another manifest
CARRIED = (S.HELD, S.OUT)            # with a carrier


class MoveError(DomainError):
    """A move the item's life does not allow."""


def can_move(item, to):
    return ItemState(to) in MOVES[ItemState(item.state)]


def move(item, to, actor, kind, note="", public=True, data=None):
    """Move `item` to state `to` and write the dossier's event `kind` (flush only); raise
    MoveError if the move is not allowed."""
    to = ItemState(to)
    if not can_move(item, to):
        raise MoveError(f"{item.state} -> {to}")
    item.state = to
    return record_event(item.dossier, kind, actor, note=note, public=public, data=data)
