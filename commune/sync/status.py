"""What the clerk and the admin read: a dossier's sync state, the queue's counts, the synced count of a period."""
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa

from ..core.i18n import N_
from ..core.timeutil import LOCAL_TZ, local_today
from ..dossiers.models import Dossier
from ..extensions import db
from .models import DOSSIER, FAILED, PENDING, SENT, SyncRecord

SYNCED = "synced"
WAITING = "waiting"
NONE = "none"
STATE_LABELS = {SYNCED: N_("Đã đồng bộ"), WAITING: N_("Chờ đồng bộ"), FAILED: N_("Đồng bộ lỗi"),
                NONE: N_("Chưa có gì để đồng bộ")}
STATE_TONES = {SYNCED: "green", WAITING: "amber", FAILED: "red", NONE: "grey"}


@dataclass
class DossierSync:
    state: str
    records: list
    failed: list
    pending: int

    @property
    def label(self):
        return STATE_LABELS[self.state]

    @property
    def tone(self):
        return STATE_TONES[self.state]

    @property
    def last_sent(self):
        return max((r.sent_at for r in self.records if r.sent_at), default=None)


def dossier_sync(dossier, shown=8):
    """A dossier's sync: failed if a record failed for good, waiting if one is pending, else synced."""
    records = db.session.scalars(
        sa.select(SyncRecord).where(SyncRecord.dossier_id == dossier.id).order_by(SyncRecord.id.desc())).all()
    failed = [r for r in records if r.status == FAILED]
    pending = sum(1 for r in records if r.status == PENDING)
    state = FAILED if failed else WAITING if pending else SYNCED if records else NONE
    return DossierSync(state, records[:shown], failed, pending)


def queue_counts():
    """{status: count} over the whole queue."""
    rows = db.session.execute(sa.select(SyncRecord.status, sa.func.count()).group_by(SyncRecord.status)).all()
    return {status: count for status, count in rows}


def _utc(day):
    return datetime.combine(day, time(0), LOCAL_TZ).astimezone(UTC).replace(tzinfo=None)


def synced_dossiers(start, end):
    """How many dossiers received from `start` to `end` (local days, both included) the remote holds:
    the number to compare with the province's count ("số hồ sơ đã đồng bộ")."""
    held = sa.select(SyncRecord.dossier_id).where(SyncRecord.kind == DOSSIER, SyncRecord.status == SENT)
    received = sa.func.coalesce(Dossier.received_at, Dossier.submitted_at)
    return db.session.scalar(sa.select(sa.func.count(Dossier.id)).where(
        Dossier.id.in_(held), received >= _utc(start), received < _utc(end + timedelta(days=1)))) or 0


def month_bounds(today=None):
    """(first, last) local day of this month and of the one before."""
    today = today or local_today()
    first = today.replace(day=1)
    last_month_end = first - timedelta(days=1)
    return (first, today), (last_month_end.replace(day=1), last_month_end)
