"""The figures of villagers without a phone and of dossiers submitted for someone ("nộp thay").

Counted over the dossiers that arrived in the period (as `received` is): how many a relative or a
village officer submitted for the applicant, by who they were, and how many carry no phone at all
(no SMS: the receipt's key is their only credential).

Both are a small share of the register, so each has a partial index of its own (by arrival, only
for those dossiers, covering what is counted): a year's figures read those few entries, not the
year's whole arrivals (at a province's 1,000,000 dossiers, a full read of the table each).
"""
import sqlalchemy as sa

from ..dossiers.models import HELPER_ROLE_LABELS, Dossier
from ..dossiers.states import Status
from ..extensions import db, expression_indexes

# Written with literals, not bound parameters: SQLite uses a partial index only for a WHERE term
# it can match against the index's own, and a parameter could be anything.
EMPTY = sa.literal_column("''")
HELPED = Dossier.helper_name != EMPTY
NO_PHONE = sa.and_(Dossier.applicant_phone == EMPTY, Dossier.helper_phone == EMPTY)
ARRIVAL = sa.func.coalesce(Dossier.received_at, Dossier.submitted_at)  # counting.arrived_between's days
# PostgreSQL also carries the arrival's own columns, or it reads every counted row from the table
# (it answers from an index alone only when it holds each column the query names): "nộp thay" for
# a year at a million dossiers 45 ms -> 3 ms. SQLite answers from the expression as it is.
ARRIVAL_COLUMNS = ("received_at", "submitted_at")
db.Index("ix_dossiers_helped_arrival", ARRIVAL, Dossier.status, Dossier.helper_role,
         postgresql_where=HELPED, sqlite_where=HELPED, postgresql_include=ARRIVAL_COLUMNS)
db.Index("ix_dossiers_no_phone_arrival", ARRIVAL, Dossier.status, postgresql_where=NO_PHONE, sqlite_where=NO_PHONE,
         postgresql_include=ARRIVAL_COLUMNS)
expression_indexes.update({"ix_dossiers_helped_arrival", "ix_dossiers_no_phone_arrival"})  # Alembic cannot compare them


def helped_figures(period, arrived_total):
    """{"arrived", "helped", "by_role": [(label, n)], "no_phone"} for the dossiers that arrived in
    `period`; `arrived_total` is the period's received count (the figures' own)."""
    d = Dossier
    # The arrival as the partial indexes' own expression: the database reads the period's few
    # entries of the small index, never the period's whole arrivals.
    # (No "submitted_at IS NOT NULL" beside it, as `received` has: every dossier past its draft
    # carries one, and SQLite would walk that column's index for it.)
    arrived = sa.and_(d.status != Status.DRAFT, ARRIVAL >= period.start_utc, ARRIVAL < period.end_utc)
    by_role = dict.fromkeys(HELPER_ROLE_LABELS, 0)
    for role, n in db.session.execute(sa.select(d.helper_role, sa.func.count()).where(HELPED, arrived)
                                      .group_by(d.helper_role)):
        by_role[role if role in by_role else "other"] = by_role.get(role, 0) + int(n)
    no_phone_n = db.session.scalar(sa.select(sa.func.count()).where(NO_PHONE, arrived))
    return {"arrived": int(arrived_total), "helped": sum(by_role.values()), "no_phone": int(no_phone_n or 0),
            "by_role": [(HELPER_ROLE_LABELS[role], n) for role, n in by_role.items()]}
