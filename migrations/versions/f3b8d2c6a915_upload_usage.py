"""upload_usage: stored bytes per client address per day (the daily upload budget)

Revision ID: f3b8d2c6a915
Revises: b7d41c9e2f06
Create Date: 2026-12-02 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'f3b8d2c6a915'
down_revision = 'b7d41c9e2f06'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'upload_usage',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('client', sa.String(length=64), nullable=False),
        sa.Column('bytes_stored', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('day', 'client', name=op.f('pk_upload_usage')),
    )


def downgrade():
    op.drop_table('upload_usage')
