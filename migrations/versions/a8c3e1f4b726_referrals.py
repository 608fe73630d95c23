"""referrals: needs the commune does not handle, and the office that does

Revision ID: a8c3e1f4b726
Revises: f3b8d2c6a915
Create Date: 2026-12-09 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a8c3e1f4b726'
down_revision = 'f3b8d2c6a915'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'referrals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=80), nullable=False),
        sa.Column('phrases', sa.JSON(), nullable=False),
        sa.Column('office', sa.String(length=300), nullable=False),
        sa.Column('sentence', sa.Text(), nullable=False),
        sa.Column('address', sa.String(length=500), nullable=False),
        sa.Column('phone', sa.String(length=60), nullable=False),
        sa.Column('url', sa.String(length=500), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_referrals')),
        sa.UniqueConstraint('key', name=op.f('uq_referrals_key')),
    )


def downgrade():
    op.drop_table('referrals')
