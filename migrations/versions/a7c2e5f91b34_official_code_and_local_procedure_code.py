"""The official dossier code (Circular 01/2018/TT-VPCP art. 19) and its daily counters; the province's
local procedure code

Dossiers already received get their code here, numbered per Vietnam day in the order they were
received, with the agency code saved in the settings (or the placeholder); their search text gains
the code's words (dossiers/search.official_code_words), so the inbox finds them by it at once.

Revision ID: a7c2e5f91b34
Revises: e9f1a7c3d2b8
Create Date: 2026-12-01 20:00:00

"""
import re
from datetime import UTC
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = 'a7c2e5f91b34'
down_revision = 'e9f1a7c3d2b8'
branch_labels = None
depends_on = None

PLACEHOLDER = "000.00.00.X00"
AGENCY = re.compile(r"^[0-9A-Z]+(\.[0-9A-Z]+)*$")
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def _words(code):
    """As dossiers/search.official_code_words and index_text write them (the code whole, its day and number,
    and that number reversed behind an "s")."""
    agency, _, number = code.rpartition("-")
    day_number = agency.rpartition("-")[2] + number
    return [re.sub(r"[^a-z0-9]", "", code.lower()), day_number, "s" + day_number[::-1]]


def _backfill():
    bind = op.get_bind()
    saved = bind.execute(sa.text("SELECT value FROM settings WHERE key = 'agency_code'")).scalar()
    agency = (saved or "").strip().upper()
    agency = agency if agency and AGENCY.match(agency) and len(agency) <= 30 else PLACEHOLDER
    dossiers = sa.table("dossiers", sa.column("id", sa.Integer), sa.column("received_at", sa.DateTime),
                        sa.column("search_text", sa.Text), sa.column("official_code", sa.String))
    rows = bind.execute(sa.select(dossiers.c.id, dossiers.c.received_at, dossiers.c.search_text)
                        .where(dossiers.c.received_at.isnot(None), dossiers.c.official_code.is_(None))
                        .order_by(dossiers.c.received_at, dossiers.c.id)).all()
    counts = {}
    for dossier_id, received_at, search_text in rows:
        day = received_at.replace(tzinfo=UTC).astimezone(LOCAL).date()
        counts[day] = counts.get(day, 0) + 1
        code = f"{agency}-{day:%y%m%d}-{counts[day]:04d}"
        bind.execute(sa.update(dossiers).where(dossiers.c.id == dossier_id).values(
            official_code=code, search_text=" ".join([search_text or ""] + _words(code)).strip()))
    counters = sa.table("official_code_counters", sa.column("agency_code", sa.String), sa.column("day", sa.Date),
                        sa.column("last", sa.Integer))
    if counts:
        op.bulk_insert(counters, [{"agency_code": agency, "day": day, "last": last} for day, last in counts.items()])


def upgrade():
    op.create_table(
        'official_code_counters',
        sa.Column('agency_code', sa.String(length=30), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('last', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('agency_code', 'day', name=op.f('pk_official_code_counters')),
    )
    op.add_column('dossiers', sa.Column('official_code', sa.String(length=50), nullable=True))
    op.create_index(op.f('ix_dossiers_official_code'), 'dossiers', ['official_code'], unique=True)
    op.add_column('procedures', sa.Column('local_code', sa.String(length=60), nullable=True))
    _backfill()


def downgrade():
    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.drop_column('local_code')
    op.drop_index(op.f('ix_dossiers_official_code'), table_name='dossiers')
    with op.batch_alter_table('dossiers', schema=None, recreate='never') as batch_op:  # keep the FTS triggers
        batch_op.drop_column('official_code')
    op.drop_table('official_code_counters')
