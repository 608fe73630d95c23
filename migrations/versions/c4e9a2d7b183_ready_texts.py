"""ready texts: the words the clerk picks for a supplement request or a refusal

Revision ID: c4e9a2d7b183
Revises: a8c3e1f4b726
Create Date: 2026-12-01 16:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c4e9a2d7b183'
down_revision = 'a8c3e1f4b726'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'ready_texts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('procedure_id', sa.Integer(), nullable=True),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['procedure_id'], ['procedures.id'], name=op.f('fk_ready_texts_procedure_id_procedures'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ready_texts')),
    )
    with op.batch_alter_table('ready_texts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ready_texts_procedure_id'), ['procedure_id'], unique=False)


def downgrade():
    with op.batch_alter_table('ready_texts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ready_texts_procedure_id'))
    op.drop_table('ready_texts')
