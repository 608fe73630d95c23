"""electronic result worth per procedure; "nộp thay" helper on the dossier

Revision ID: d3f8b2a6c914
Revises: b6d41f9e2a07
Create Date: 2026-12-01 16:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'd3f8b2a6c914'
down_revision = 'b6d41f9e2a07'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('result_copy', sa.String(length=20), server_default='reference',
                                      nullable=False))
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('helper_name', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('helper_phone', sa.String(length=20), server_default='', nullable=False))
        batch_op.add_column(sa.Column('helper_role', sa.String(length=20), server_default='', nullable=False))
        batch_op.add_column(sa.Column('helper_relation', sa.String(length=100), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_column('helper_relation')
        batch_op.drop_column('helper_role')
        batch_op.drop_column('helper_phone')
        batch_op.drop_column('helper_name')
    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.drop_column('result_copy')
