"""dossiers.erased_at: when a finished dossier's personal data was erased after retention

Revision ID: a3d1c9e07b21
Revises: e8f55636b43c
Create Date: 2026-12-01 06:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a3d1c9e07b21'
down_revision = 'e8f55636b43c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_column('erased_at')
