"""The dossier life cycle: states, labels, badge colours, allowed moves, and transition().

No code assigns Dossier.status anywhere else: every change goes through
transition(), which checks the move and writes the event row in the same flush.
Features that react to a change (notices, audit) register with on_transition().
"""
from enum import StrEnum

from .timeutil import utcnow


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RECEIVED = "received"
    PROCESSING = "processing"
    NEEDS_SUPPLEMENT = "needs_supplement"
    READY = "ready"
    DELIVERING = "delivering"
    RETURNED = "returned"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


# Vietnamese label (msgid) and a badge colour class for each state.
LABELS = {
    Status.DRAFT: "Đang soạn",
    Status.SUBMITTED: "Chờ tiếp nhận",
    Status.RECEIVED: "Đã tiếp nhận",
    Status.PROCESSING: "Đang xử lý",
    Status.NEEDS_SUPPLEMENT: "Chờ bổ sung",
    Status.READY: "Có kết quả",
    Status.DELIVERING: "Đang chuyển phát",
    Status.RETURNED: "Đã trả kết quả",
    Status.REFUSED: "Từ chối",
    Status.WITHDRAWN: "Đã rút",
}
BADGES = {
    Status.DRAFT: "grey",
    Status.SUBMITTED: "blue",
    Status.RECEIVED: "blue",
    Status.PROCESSING: "blue",
    Status.NEEDS_SUPPLEMENT: "amber",
    Status.READY: "green",
    Status.DELIVERING: "green",
    Status.RETURNED: "grey",
    Status.REFUSED: "red",
    Status.WITHDRAWN: "grey",
}

ALLOWED = {
    Status.DRAFT: {Status.SUBMITTED, Status.WITHDRAWN},
    Status.SUBMITTED: {Status.RECEIVED, Status.NEEDS_SUPPLEMENT, Status.REFUSED, Status.WITHDRAWN},
    Status.RECEIVED: {Status.PROCESSING, Status.NEEDS_SUPPLEMENT, Status.READY, Status.REFUSED,
                      Status.WITHDRAWN},
    Status.PROCESSING: {Status.NEEDS_SUPPLEMENT, Status.READY, Status.REFUSED},
    # Back to where it was when the villager answers (checked against status_before_supplement).
    Status.NEEDS_SUPPLEMENT: {Status.SUBMITTED, Status.RECEIVED, Status.PROCESSING, Status.REFUSED,
                              Status.WITHDRAWN},
    Status.READY: {Status.RETURNED, Status.DELIVERING},
    Status.DELIVERING: {Status.RETURNED, Status.READY},
    Status.RETURNED: set(),
    Status.REFUSED: set(),
    Status.WITHDRAWN: set(),
}
FINAL = frozenset({Status.RETURNED, Status.REFUSED, Status.WITHDRAWN})
OPEN = frozenset({Status.SUBMITTED, Status.RECEIVED, Status.PROCESSING, Status.NEEDS_SUPPLEMENT,
                  Status.READY, Status.DELIVERING})
# A villager may withdraw until the clerk starts processing.
WITHDRAWABLE = frozenset({Status.SUBMITTED, Status.RECEIVED, Status.NEEDS_SUPPLEMENT})


class TransitionError(Exception):
    """A move the life cycle does not allow."""


_listeners = []


def on_transition(callback):
    """Register callback(dossier, event) called after every transition (inside the transaction)."""
    _listeners.append(callback)
    return callback


def can_transition(dossier, to):
    to = Status(to)
    current = Status(dossier.status)
    if to not in ALLOWED[current]:
        return False
    if current == Status.NEEDS_SUPPLEMENT and to not in (Status.REFUSED, Status.WITHDRAWN):
        return to == Status(dossier.status_before_supplement or Status.SUBMITTED)
    return True


def transition(dossier, to, actor=None, note="", public=True, kind="status", actor_label=None):
    """Move `dossier` to state `to`, writing its event; raise TransitionError if not allowed.

    `actor` is a staff User or None (the villager or the system; say which in actor_label).
    Flushes nothing itself: the request commits once.
    """
    from .dossier import DossierEvent

    to = Status(to)
    current = Status(dossier.status)
    if not can_transition(dossier, to):
        raise TransitionError(f"{current} -> {to}")
    now = utcnow()
    if to == Status.NEEDS_SUPPLEMENT:
        dossier.status_before_supplement = current.value
    dossier.status = to.value
    if to in FINAL:
        dossier.finished_at = now
    event = DossierEvent(
        dossier=dossier,
        at=now,
        kind=kind,
        from_status=current.value,
        to_status=to.value,
        actor_id=actor.id if actor is not None else None,
        actor_label=actor_label or (actor.full_name or actor.username if actor is not None else "Công dân"),
        note=note or "",
        public=public,
    )
    from ..extensions import db

    db.session.add(event)
    for callback in _listeners:
        callback(dossier, event)
    return event


def record_event(dossier, kind, actor=None, note="", public=False, actor_label=None, data=None):
    """Write an event that does not change the state (note, message, view, delivery step…)."""
    from ..extensions import db
    from .dossier import DossierEvent

    event = DossierEvent(
        dossier=dossier,
        at=utcnow(),
        kind=kind,
        actor_id=actor.id if actor is not None else None,
        actor_label=actor_label or (actor.full_name or actor.username if actor is not None else "Công dân"),
        note=note or "",
        public=public,
        data=data,
    )
    db.session.add(event)
    for callback in _listeners:
        callback(dossier, event)
    return event
