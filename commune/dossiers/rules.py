"""Rules every channel applies to a dossier the same way: what it keeps of its procedure, how
long it takes, when it is due, and the clock that starts again when a supplement comes in."""
from ..core.calendar import compute_due_date, configured_cutoff
from .questions import usable_fields
from .states import Status

# A supplement answered on a dossier that was received: its clock restarts in full (a dossier not yet
# received has no clock).
CLOCK_RESTARTS_IN = (Status.RECEIVED, Status.PROCESSING)


def procedure_snapshot(procedure, online=False):
    """The procedure as the villager sees and submits it (kept on the dossier for good).

    Online, a paper the procedure's questions stand in for (`online_form`, the declaration) is
    not asked for as photos: the answers are the declaration. At the counter it is the paper."""
    questions = usable_fields(procedure.form_fields)

    def document(d):
        answered = bool(online and questions and d.online_form)
        return {"name": d.name, "original_or_copy": d.original_or_copy, "required": d.required and not answered,
                "count": d.count, "hint": d.hint, "online_form": answered}

    return {
        "code": procedure.code, "slug": procedure.slug, "name": procedure.name,
        "version": procedure.version, "processing_days": procedure.processing_days,
        "fee_vnd": procedure.fee_vnd, "fee_note": procedure.fee_note,
        "fee_unit": procedure.fee_unit or "", "fee_count": procedure.fee_count or "",
        "fee_min_vnd": procedure.fee_min_vnd, "fee_max_vnd": procedure.fee_max_vnd,
        "postal_return_allowed": bool(procedure.postal_return_allowed),
        "documents": [document(d) for d in procedure.documents],
        "form_fields": questions,
    }


def processing_days(dossier):
    """Working days the procedure takes, as the dossier's snapshot recorded them."""
    days = (dossier.procedure_snapshot or {}).get("processing_days")
    if days is None and dossier.procedure is not None:
        days = dossier.procedure.processing_days
    return days


def cutoff_text():
    """The daily cut-off 'HH:MM': the admin's setting if saved, else COMMUNE_CUTOFF (default 15:00).
    The same value the due dates use and the procedure pages tell villagers (core.calendar)."""
    return configured_cutoff()


def due_from(dossier, at):
    """The due date of a dossier whose processing time starts at `at` (working days, cut-off)."""
    return compute_due_date(at, processing_days(dossier))


def restart_clock(dossier, at):
    """A supplement answered on a received dossier: the full processing time starts again at `at`
    (workflow.transition() applies it on the move back). Returns the new due date."""
    dossier.due_date = due_from(dossier, at)
    return dossier.due_date
