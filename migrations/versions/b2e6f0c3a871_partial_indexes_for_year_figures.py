"""Partial indexes for a year's figures: the "nộp thay", no-phone and fee-owing dossiers by arrival

A year's figures at a province's million dossiers read the whole table three times (the helped
count and roles, the no-phone count, the fees due: BENCHMARKS.md); each is a small share of the
register, so an index of only those rows lets the counts read just them.

Revision ID: b2e6f0c3a871
Revises: c4d8e2a6f130
Create Date: 2026-12-01 20:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'b2e6f0c3a871'
down_revision = 'c4d8e2a6f130'
branch_labels = None
depends_on = None

ARRIVAL = "coalesce(received_at, submitted_at)"
INDEXES = {  # name: (columns after the arrival, the rows it holds)
    "ix_dossiers_helped_arrival": ("status, helper_role", "helper_name != ''"),
    "ix_dossiers_no_phone_arrival": ("status", "applicant_phone = '' AND helper_phone = ''"),
    "ix_dossiers_fee_arrival": ("status, fee_vnd", "fee_vnd > 0"),
}


def upgrade():
    for name, (columns, where) in INDEXES.items():
        op.create_index(name, "dossiers", [sa.text(f"{ARRIVAL}, {columns}")],
                        postgresql_where=sa.text(where), sqlite_where=sa.text(where))


def downgrade():
    for name in INDEXES:
        op.drop_index(name, table_name="dossiers")
