"""users.post_office and postal_manifests.post_office: a postal account sees its own office's manifests

Revision ID: b7d41c9e2f06
Revises: b7d1f3a9c2e4
Create Date: 2026-12-05 08:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b7d41c9e2f06'
down_revision = 'b7d1f3a9c2e4'
branch_labels = None
depends_on = None


def upgrade():
    # Existing accounts and manifests get "" (no office named): they keep seeing each other as before.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('post_office', sa.String(length=120), server_default='', nullable=False))
    with op.batch_alter_table('postal_manifests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('post_office', sa.String(length=120), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('postal_manifests', schema=None) as batch_op:
        batch_op.drop_column('post_office')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('post_office')
