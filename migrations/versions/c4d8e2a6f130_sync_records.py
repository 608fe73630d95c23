"""The outbound sync queue to the provincial / national one-stop system (commune/sync)

Revision ID: c4d8e2a6f130
Revises: a7c2e5f91b34
Create Date: 2026-12-01 20:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'c4d8e2a6f130'
down_revision = 'a7c2e5f91b34'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sync_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('operation', sa.String(length=10), nullable=False),
    sa.Column('remote_code', sa.String(length=50), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('claimed_at', sa.DateTime(), nullable=True),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_sync_records_dossier_id_dossiers'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['dossier_events.id'], name=op.f('fk_sync_records_event_id_dossier_events'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_records'))
    )
    with op.batch_alter_table('sync_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sync_records_dossier_id'), ['dossier_id'], unique=False)
        batch_op.create_index('ix_sync_records_status_next_attempt_at', ['status', 'next_attempt_at'], unique=False)


def downgrade():
    with op.batch_alter_table('sync_records', schema=None) as batch_op:
        batch_op.drop_index('ix_sync_records_status_next_attempt_at')
        batch_op.drop_index(batch_op.f('ix_sync_records_dossier_id'))
    op.drop_table('sync_records')
