"""the fee rule on procedures (count questions, bounds); payments and imported bank statements

Revision ID: b6d41f9e2a07
Revises: f7a3c1d9b5e2
Create Date: 2026-12-01 17:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b6d41f9e2a07'
down_revision = 'f7a3c1d9b5e2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fee_count', sa.String(length=100), server_default='', nullable=False))
        batch_op.add_column(sa.Column('fee_min_vnd', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('fee_max_vnd', sa.Integer(), nullable=True))

    op.create_table(
        'statement_imports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('rows', sa.JSON(), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('confirmed_at', sa.DateTime(), nullable=True),
        sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'],
                                name=op.f('fk_statement_imports_confirmed_by_id_users')),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'],
                                name=op.f('fk_statement_imports_uploaded_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_statement_imports')),
    )
    with op.batch_alter_table('statement_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_statement_imports_sha256'), ['sha256'], unique=False)

    op.create_table(
        'payments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('dossier_id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=10), nullable=False),
        sa.Column('amount_vnd', sa.Integer(), nullable=False),
        sa.Column('due_vnd', sa.Integer(), nullable=True),
        sa.Column('reference', sa.String(length=100), nullable=False),
        sa.Column('paid_on', sa.DateTime(), nullable=True),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('statement_id', sa.Integer(), nullable=True),
        sa.Column('note', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_payments_dossier_id_dossiers'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_payments_recorded_by_id_users')),
        sa.ForeignKeyConstraint(['statement_id'], ['statement_imports.id'],
                                name=op.f('fk_payments_statement_id_statement_imports')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_payments')),
        sa.UniqueConstraint('dossier_id', name=op.f('uq_payments_dossier_id')),
    )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payments_channel'), ['channel'], unique=False)
        batch_op.create_index(batch_op.f('ix_payments_recorded_at'), ['recorded_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_payments_reference'), ['reference'], unique=False)


def downgrade():
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payments_reference'))
        batch_op.drop_index(batch_op.f('ix_payments_recorded_at'))
        batch_op.drop_index(batch_op.f('ix_payments_channel'))
    op.drop_table('payments')
    with op.batch_alter_table('statement_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statement_imports_sha256'))
    op.drop_table('statement_imports')
    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.drop_column('fee_max_vnd')
        batch_op.drop_column('fee_min_vnd')
        batch_op.drop_column('fee_count')
