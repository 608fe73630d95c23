"""When a dossier arrived, as every figure counts it: its receipt, or its submission while it
waits to be received; written so that the received_at / submitted_at indexes apply (a
COALESCE of the two would make each count a full read of the table)."""
import sqlalchemy as sa

from .models import Dossier


def arrived_between(start_utc, end_utc):
    """Arrived in [start, end) (naive UTC)."""
    d = Dossier
    return sa.or_(
        sa.and_(d.received_at >= start_utc, d.received_at < end_utc),
        sa.and_(d.received_at.is_(None), d.submitted_at >= start_utc, d.submitted_at < end_utc),
    )
