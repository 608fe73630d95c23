"""The dossier life cycle in motion: transition() and record_event() (the states are in states.py).

No code assigns Dossier.status anywhere else: every change goes through
transition(), which checks the move and writes the event row in the same flush.
Features that react to a change (notices, audit) register with on_transition().
"""
from ..core.timeutil import utcnow
from ..extensions import db
from .events import EventKind
from .models import DossierEvent
from .rules import CLOCK_RESTARTS_IN, restart_clock
from .states import FINAL, Status, TransitionError, can_transition

_listeners = []


def on_transition(callback):
    """Register callback(dossier, event) called after every transition (inside the transaction)."""
    _listeners.append(callback)
    return callback


def transition(dossier, to, actor=None, note="", public=True, kind=EventKind.STATUS, actor_label=None):
    """Move `dossier` to state `to`, writing its event; raise TransitionError if not allowed.

    `actor` is a staff User or None (the villager or the system; say which in actor_label).
    Flushes nothing itself: the request commits once.
    """
    to = Status(to)
    current = Status(dossier.status)
    if not can_transition(dossier, to):
        raise TransitionError(f"{current} -> {to}")
    now = utcnow()
    if to == Status.NEEDS_SUPPLEMENT:
        dossier.status_before_supplement = current
    dossier.status = to
    if to in FINAL:
        dossier.finished_at = now
    if current == Status.NEEDS_SUPPLEMENT and to in CLOCK_RESTARTS_IN:
        restart_clock(dossier, now)  # the answer to a supplement request: the full time again
    event = DossierEvent(
        dossier=dossier,
        at=now,
        kind=EventKind(kind),
        from_status=current,
        to_status=to,
        actor_id=actor.id if actor is not None else None,
        actor_label=actor_label or (actor.full_name or actor.username if actor is not None else "Công dân"),
        note=note or "",
        public=public,
    )
    db.session.add(event)
    for callback in _listeners:
        callback(dossier, event)
    return event


def record_event(dossier, kind, actor=None, note="", public=False, actor_label=None, data=None):
    """Write an event that does not change the state (note, message, view, delivery step…): `kind`
    is an EventKind."""
    event = DossierEvent(
        dossier=dossier,
        at=utcnow(),
        kind=EventKind(kind),
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
