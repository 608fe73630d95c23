"""The figures of villagers without a phone and of dossiers submitted for someone ("nộp thay").

Counted over the dossiers that arrived in the period (as `received` is): how many a relative or a
village officer submitted for the applicant, by who they were, and how many carry no phone at all
(no SMS: the receipt's key is their only credential).
"""
import sqlalchemy as sa

from ..dossiers.models import HELPER_ROLE_LABELS, Dossier
from ..dossiers.states import Status
from ..extensions import db
from .counting import arrived_between


def helped_figures(period):
    """{"arrived", "helped", "by_role": [(label, n)], "no_phone"} for the dossiers that arrived in `period`."""
    d = Dossier
    arrived = sa.and_(d.status != Status.DRAFT.value, d.submitted_at.isnot(None),
                      arrived_between(period.start_utc, period.end_utc))
    helped = d.helper_name != ""
    no_phone = sa.and_(d.applicant_phone == "", d.helper_phone == "")
    total, helped_n, no_phone_n = db.session.execute(sa.select(
        sa.func.count(), sa.func.count().filter(helped), sa.func.count().filter(no_phone)).where(arrived)).one()
    by_role = dict.fromkeys(HELPER_ROLE_LABELS, 0)
    for role, n in db.session.execute(sa.select(d.helper_role, sa.func.count()).where(arrived, helped)
                                      .group_by(d.helper_role)):
        by_role[role if role in by_role else "other"] = by_role.get(role, 0) + int(n)
    return {"arrived": int(total), "helped": int(helped_n or 0), "no_phone": int(no_phone_n or 0),
            "by_role": [(HELPER_ROLE_LABELS[role], n) for role, n in by_role.items()]}
