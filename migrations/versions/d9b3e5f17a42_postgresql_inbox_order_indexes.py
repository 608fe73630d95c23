"""PostgreSQL only: indexes in the inbox's newest-first order (DESC NULLS LAST)

PostgreSQL reads an ascending index only as ASC NULLS LAST or DESC NULLS FIRST, so the
"received newest first" and "submitted newest first" lists sorted 70 000+ rows at 100 000
dossiers. SQLite walks its ascending indexes backwards and needs nothing.

Revision ID: d9b3e5f17a42
Revises: c4f8a2d61e90
Create Date: 2026-12-01 06:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'd9b3e5f17a42'
down_revision = 'c4f8a2d61e90'
branch_labels = None
depends_on = None

INDEXES = (
    ('ix_dossiers_pg_status_received', ['status', 'received_at DESC NULLS LAST', 'id DESC']),
    ('ix_dossiers_pg_status_submitted', ['status', 'submitted_at DESC NULLS LAST', 'id DESC']),
    ('ix_dossiers_pg_submitted', ['submitted_at DESC NULLS LAST', 'id DESC']),
)


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    for name, columns in INDEXES:
        op.create_index(name, 'dossiers', [sa.text(c) if ' ' in c else c for c in columns], unique=False)


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    for name, _columns in INDEXES:
        op.drop_index(name, table_name='dossiers')
