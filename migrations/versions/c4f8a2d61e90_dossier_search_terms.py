"""dossier_search_terms: an index of the words clerks search dossiers by (was a LIKE scan)

Revision ID: c4f8a2d61e90
Revises: a3d1c9e07b21
Create Date: 2026-12-01 07:10:00

"""
import re
import unicodedata

from alembic import op
import sqlalchemy as sa


revision = 'c4f8a2d61e90'
down_revision = 'a3d1c9e07b21'
branch_labels = None
depends_on = None

_NOT_TERM = re.compile(r"[^a-z0-9]")


def _fold(text):
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def _terms(text):
    # As commune.dossiers.search.terms_of() was when this migration was written.
    terms = set()
    for word in (text or "").split():
        term = _NOT_TERM.sub("", _fold(word))[:40]
        if term:
            terms.add((0, term))
            if term.isdigit() and len(term) > 3:
                terms.add((1, term[::-1]))
    return terms


def upgrade():
    terms = op.create_table('dossier_search_terms',
    sa.Column('kind', sa.SmallInteger(), nullable=False),
    sa.Column('term', sa.String(length=40), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_dossier_search_terms_dossier_id_dossiers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('kind', 'term', 'dossier_id', name=op.f('pk_dossier_search_terms'))
    )
    with op.batch_alter_table('dossier_search_terms', schema=None) as batch_op:
        batch_op.create_index('ix_dossier_search_terms_dossier', ['dossier_id', 'kind', 'term'], unique=False)

    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_index('ix_dossiers_status_search')

    # Index the dossiers already there, a few thousand at a time.
    connection = op.get_bind()
    dossiers = sa.table('dossiers', sa.column('id', sa.Integer), sa.column('search_text', sa.Text))
    last = 0
    while True:
        chunk = connection.execute(sa.select(dossiers.c.id, dossiers.c.search_text)
                                   .where(dossiers.c.id > last).order_by(dossiers.c.id).limit(5000)).all()
        if not chunk:
            break
        rows = [{"kind": kind, "term": term, "dossier_id": dossier_id}
                for dossier_id, text in chunk for kind, term in sorted(_terms(text))]
        if rows:
            connection.execute(sa.insert(terms), rows)
        last = chunk[-1][0]


def downgrade():
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.create_index('ix_dossiers_status_search', ['status', 'search_text'], unique=False)

    with op.batch_alter_table('dossier_search_terms', schema=None) as batch_op:
        batch_op.drop_index('ix_dossier_search_terms_dossier')

    op.drop_table('dossier_search_terms')
