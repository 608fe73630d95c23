"""How long the office keeps what villagers send: unsent drafts (days), finished dossiers (years).

Both periods are settings the admin edits (Quản trị → Cài đặt); the environment gives the
defaults (COMMUNE_DRAFT_DAYS, COMMUNE_RETENTION_YEARS). Expired drafts are deleted whole
(`flask drafts purge`). A finished dossier past its retention is *erased* (`flask retention
apply`): its row, code, procedure, dates, status and events stay, so the register and the
figures stay whole, and everything that identifies the villager goes — the photos and result
files, name, phone, ID number, addresses, form answers, the delivery details given to the post,
the addresses and texts of notices, rating comments. Nothing is erased unless that command runs.
"""
import sqlalchemy as sa
from flask import current_app

from ..core.audit import audit
from ..core.settings import get_settings
from ..core.timeutil import utcnow
from ..extensions import db
from ..files.storage import release_keys
from .events import EventKind
from .models import Dossier
from .states import FINAL
from .workflow import record_event

ERASED_NOTE = "Hết thời hạn lưu trữ ({years} năm): đã xóa ảnh, tệp và thông tin cá nhân."


def _setting_int(key, config_key, default):
    saved = str(get_settings().get(key) or "").strip()
    if saved.isdigit() and int(saved) > 0:
        return int(saved)
    return int(current_app.config.get(config_key) or default)


def draft_days():
    """Days an unsent draft lives after its last change (setting, else COMMUNE_DRAFT_DAYS)."""
    return _setting_int("draft_retention_days", "COMMUNE_DRAFT_DAYS", 30)


def retention_years():
    """Years a finished dossier is kept whole (setting, else COMMUNE_RETENTION_YEARS)."""
    return _setting_int("dossier_retention_years", "COMMUNE_RETENTION_YEARS", 20)


def erase_before(now=None, years=None):
    """The naive-UTC moment before which a finished dossier is past its retention."""
    now = now or utcnow()
    years = years or retention_years()
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def due_for_erasure(before):
    """Finished dossiers not yet erased whose end came before `before`, oldest first."""
    return sa.select(Dossier).where(
        Dossier.status.in_([status.value for status in FINAL]), Dossier.finished_at < before,
        Dossier.erased_at.is_(None)).order_by(Dossier.finished_at)


def retention_outlook(now=None):
    """(how many dossiers the next `retention apply` would erase, the date they finished before)."""
    before = erase_before(now)
    count = db.session.scalar(sa.select(sa.func.count()).select_from(due_for_erasure(before).order_by(None)
                                                                     .subquery()))
    return count, before


# Each feature that keeps something about a dossier's villager (the post's delivery details, the
# outbox's addresses and texts, rating comments) registers how to clear it: see erases_personal_data.
_erasers = []


def erases_personal_data(eraser):
    """Register eraser(dossier): clear what its feature keeps about this dossier's villager (flush
    only). Runs before the dossier's files are removed."""
    _erasers.append(eraser)
    return eraser


def erase_dossier(dossier, years, now=None):
    """Remove what identifies the villager from one finished dossier (flush only); return the
    storage keys to release after the commit."""
    for eraser in _erasers:
        eraser(dossier)
    keys = set()
    for row in list(dossier.files):
        keys |= {row.storage_key, row.thumb_key}
        dossier.files.remove(row)
    for name in ("applicant_name", "applicant_phone", "applicant_id_number", "applicant_address",
                 "applicant_village", "applicant_email", "delivery_name", "delivery_phone",
                 "delivery_address", "delivery_village", "delivery_note",
                 "helper_name", "helper_phone", "helper_relation"):  # "nộp thay": the helper's too
        setattr(dossier, name, "")
    dossier.form_data = {}
    dossier.lookup_key = None
    dossier.search_text = (dossier.code or "").lower()
    dossier.erased_at = now or utcnow()
    record_event(dossier, EventKind.ERASED, note=ERASED_NOTE.format(years=years), actor_label="Hệ thống")
    db.session.flush()
    return keys


def apply_retention(now=None, dry_run=False):
    """Erase every finished dossier past its retention; commits (CLI only). Returns (count, before)."""
    years = retention_years()
    before = erase_before(now, years)
    dossiers = db.session.scalars(due_for_erasure(before)).all()
    if dry_run or not dossiers:
        return len(dossiers), before
    keys = set()
    for dossier in dossiers:
        keys |= erase_dossier(dossier, years, now)
    audit(None, "retention.apply", "dossiers", {"erased": len(dossiers), "finished_before": before.isoformat(),
                                                "years": years})
    db.session.commit()
    # Files go only after the rows are gone for good, and only if no other dossier still uses them.
    release_keys(keys)
    return len(dossiers), before
