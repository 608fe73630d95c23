"""The admin's changes to the needs handled by other offices. Flush, never commit; each one audited."""
from ..catalog.referrals import Referral, new_key
from ..core.audit import audit, diff
from ..extensions import db
from .referral_forms import split_phrases


def save_referral(actor, form, referral=None):
    """Create or update an entry from the form; returns it."""
    before = referral.as_dict() if referral else {}
    phrases = split_phrases(form.phrases.data)
    if referral is None:
        referral = Referral(key=new_key(phrases))
        db.session.add(referral)
    values = {
        "phrases": phrases, "office": form.office.data.strip(), "sentence": form.sentence.data.strip(),
        "address": (form.address.data or "").strip(), "phone": (form.phone.data or "").strip(),
        "url": (form.url.data or "").strip(), "position": form.position.data or 0,
    }
    changed = False
    for name, value in values.items():
        if getattr(referral, name) != value:
            setattr(referral, name, value)
            changed = True
    if before and changed:
        referral.version += 1
    db.session.flush()
    changes = diff(before, referral.as_dict())
    if changes:
        audit(actor, "referral.update" if before else "referral.create", f"referral {referral.key}", changes)
    return referral


def delete_referral(actor, referral):
    """Remove an entry; the audit log keeps what it said."""
    audit(actor, "referral.delete", f"referral {referral.key}", diff(referral.as_dict(), {}))
    db.session.delete(referral)
    db.session.flush()
