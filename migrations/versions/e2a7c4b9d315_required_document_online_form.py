"""required_documents.online_form: online, the procedure's questions stand in for this paper

Revision ID: e2a7c4b9d315
Revises: d9b3e5f17a42
Create Date: 2026-12-01 07:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'e2a7c4b9d315'
down_revision = 'd9b3e5f17a42'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('required_documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('online_form', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('required_documents', schema=None) as batch_op:
        batch_op.drop_column('online_form')
