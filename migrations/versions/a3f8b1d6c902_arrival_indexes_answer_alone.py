"""PostgreSQL: the year's partial indexes by arrival carry the arrival's columns

PostgreSQL answers a count from an index alone only when the index holds every column the query
names; the arrival is coalesce(received_at, submitted_at), so it read each counted row from the
table (the fee sum for a year at a million dossiers: 116 ms; with the columns included: 8 ms).
SQLite answers from the expression as it is: unchanged there.

Revision ID: a3f8b1d6c902
Revises: d5a9c3e7f214
Create Date: 2026-12-01 23:55:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'a3f8b1d6c902'
down_revision = 'd5a9c3e7f214'
branch_labels = None
depends_on = None

ARRIVAL = "coalesce(received_at, submitted_at)"
INDEXES = {  # name: (columns after the arrival, the rows it holds), as in b2e6f0c3a871
    "ix_dossiers_helped_arrival": ("status, helper_role", "helper_name != ''"),
    "ix_dossiers_no_phone_arrival": ("status", "applicant_phone = '' AND helper_phone = ''"),
    "ix_dossiers_fee_arrival": ("status, fee_vnd", "fee_vnd > 0"),
}


def _rebuild(include):
    for name, (columns, where) in INDEXES.items():
        op.drop_index(name, table_name="dossiers")
        op.create_index(name, "dossiers", [sa.text(f"{ARRIVAL}, {columns}")], postgresql_where=sa.text(where),
                        postgresql_include=include)


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        _rebuild(["received_at", "submitted_at"])


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        _rebuild([])
