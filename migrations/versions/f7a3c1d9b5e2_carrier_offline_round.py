"""the carrier's offline round: rounds and their hand-back sheet, phone times, signatures, the route order

Revision ID: f7a3c1d9b5e2
Revises: c4e9a2d7b183
Create Date: 2026-12-01 17:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'f7a3c1d9b5e2'
down_revision = 'c4e9a2d7b183'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'postal_rounds',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('carrier_id', sa.Integer(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.Column('closed_at', sa.DateTime(), nullable=True),
        sa.Column('summary', sa.JSON(), nullable=True),
        sa.Column('cash_total_vnd', sa.Integer(), nullable=False),
        sa.Column('confirmed_at', sa.DateTime(), nullable=True),
        sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
        sa.Column('cash_received_vnd', sa.Integer(), nullable=True),
        sa.Column('confirm_note', sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(['carrier_id'], ['users.id'], name=op.f('fk_postal_rounds_carrier_id_users')),
        sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'],
                                name=op.f('fk_postal_rounds_confirmed_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_postal_rounds')),
    )
    with op.batch_alter_table('postal_rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_postal_rounds_carrier_id'), ['carrier_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_postal_rounds_closed_at'), ['closed_at'], unique=False)
    with op.batch_alter_table('postal_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('received_relation', sa.String(length=40), server_default='', nullable=False))
        batch_op.add_column(sa.Column('signature_file_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('route_position', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_postal_items_signature_file_id_dossier_files'),
                                    'dossier_files', ['signature_file_id'], ['id'], ondelete='SET NULL')
    with op.batch_alter_table('postal_actions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('happened_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('round_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_postal_actions_round_id'), ['round_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_postal_actions_round_id_postal_rounds'),
                                    'postal_rounds', ['round_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('postal_actions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_postal_actions_round_id_postal_rounds'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_postal_actions_round_id'))
        batch_op.drop_column('round_id')
        batch_op.drop_column('happened_at')
    with op.batch_alter_table('postal_items', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_postal_items_signature_file_id_dossier_files'), type_='foreignkey')
        batch_op.drop_column('route_position')
        batch_op.drop_column('signature_file_id')
        batch_op.drop_column('received_relation')
    with op.batch_alter_table('postal_rounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_postal_rounds_closed_at'))
        batch_op.drop_index(batch_op.f('ix_postal_rounds_carrier_id'))
    op.drop_table('postal_rounds')
