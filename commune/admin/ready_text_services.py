"""The admin's changes to the ready-made texts. Flush, never commit; each one audited."""
from ..core.audit import audit, diff
from ..extensions import db
from ..inbox.ready_texts import ReadyText


def save_ready_text(actor, form, text=None):
    """Create or update a text from the form; returns it."""
    before = text.as_dict() if text else {}
    if text is None:
        text = ReadyText()
        db.session.add(text)
    text.kind = form.kind.data
    text.procedure_id = form.procedure.data
    text.title = " ".join(form.title.data.split())
    text.body = form.body.data.strip()
    text.position = form.position.data or 0
    db.session.flush()
    changes = diff(before, text.as_dict())
    if changes:
        audit(actor, "ready_text.update" if before else "ready_text.create", f"ready text {text.id}", changes)
    return text


def delete_ready_text(actor, text):
    """Remove a text; the audit log keeps what it said."""
    audit(actor, "ready_text.delete", f"ready text {text.id}", diff(text.as_dict(), {}))
    db.session.delete(text)
    db.session.flush()
