"""The database's own full-text search for the inbox (SQLite FTS5, PostgreSQL tsvector + GIN),
replacing the hand-made word table dossier_search_terms

Each dossier's search_text gains its long numbers reversed behind an "s" (dossiers/search.py),
so the last digits of a phone still find it.

Revision ID: e9f1a7c3d2b8
Revises: d3f8b2a6c914
Create Date: 2026-12-01 16:50:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'e9f1a7c3d2b8'
down_revision = 'd3f8b2a6c914'
branch_labels = None
depends_on = None

FTS = "dossier_fts"
SQLITE_UP = (
    f"CREATE VIRTUAL TABLE {FTS} USING fts5(search_text, content='dossiers', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2', prefix='2 3')",
    f"CREATE TRIGGER {FTS}_insert AFTER INSERT ON dossiers BEGIN "
    f"INSERT INTO {FTS}(rowid, search_text) VALUES (new.id, new.search_text); END",
    f"CREATE TRIGGER {FTS}_delete AFTER DELETE ON dossiers BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
    f"CREATE TRIGGER {FTS}_update AFTER UPDATE OF search_text ON dossiers BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    f"INSERT INTO {FTS}(rowid, search_text) VALUES (new.id, new.search_text); END",
    f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')",
)
SQLITE_DOWN = (f"DROP TRIGGER IF EXISTS {FTS}_insert", f"DROP TRIGGER IF EXISTS {FTS}_delete",
               f"DROP TRIGGER IF EXISTS {FTS}_update", f"DROP TABLE IF EXISTS {FTS}")


def _index_text(text):
    # As commune.dossiers.search.index_text() was when this migration was written.
    words = [w for w in (text or "").split() if not (w.startswith("s") and w[1:].isdigit())]
    return " ".join(words + ["s" + w[::-1] for w in words if w.isdigit() and len(w) > 3])


def _rewrite_search_texts(change):
    connection = op.get_bind()
    dossiers = sa.table("dossiers", sa.column("id", sa.Integer), sa.column("search_text", sa.Text))
    last = 0
    while True:
        rows = connection.execute(sa.select(dossiers.c.id, dossiers.c.search_text).where(dossiers.c.id > last)
                                  .order_by(dossiers.c.id).limit(5000)).all()
        if not rows:
            return
        for dossier_id, text in rows:
            new = change(text or "")
            if new != text:
                connection.execute(sa.update(dossiers).where(dossiers.c.id == dossier_id).values(search_text=new))
        last = rows[-1][0]


def upgrade():
    _rewrite_search_texts(_index_text)
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_UP:
            op.execute(statement)
    else:
        op.execute("CREATE INDEX ix_dossiers_search_vector ON dossiers USING gin "
                   "(to_tsvector('simple', search_text))")
    with op.batch_alter_table('dossier_search_terms', schema=None) as batch_op:
        batch_op.drop_index('ix_dossier_search_terms_dossier')
    op.drop_table('dossier_search_terms')


def downgrade():
    op.create_table('dossier_search_terms',
    sa.Column('kind', sa.SmallInteger(), nullable=False),
    sa.Column('term', sa.String(length=40), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_dossier_search_terms_dossier_id_dossiers'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('kind', 'term', 'dossier_id', name=op.f('pk_dossier_search_terms'))
    )
    with op.batch_alter_table('dossier_search_terms', schema=None) as batch_op:
        batch_op.create_index('ix_dossier_search_terms_dossier', ['dossier_id', 'kind', 'term'], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
    else:
        op.execute("DROP INDEX IF EXISTS ix_dossiers_search_vector")
    _rewrite_search_texts(_without_reversed)
    _refill_word_table()


def _without_reversed(text):
    return " ".join(w for w in text.split() if not (w.startswith("s") and w[1:].isdigit()))


def _refill_word_table():
    # The rows the older version's word table held (c4f8a2d61e90's _terms()).
    connection = op.get_bind()
    dossiers = sa.table("dossiers", sa.column("id", sa.Integer), sa.column("search_text", sa.Text))
    terms = sa.table("dossier_search_terms", sa.column("kind", sa.SmallInteger), sa.column("term", sa.String),
                     sa.column("dossier_id", sa.Integer))
    last = 0
    while True:
        chunk = connection.execute(sa.select(dossiers.c.id, dossiers.c.search_text).where(dossiers.c.id > last)
                                   .order_by(dossiers.c.id).limit(5000)).all()
        if not chunk:
            return
        rows = []
        for dossier_id, text in chunk:
            found = set()
            for word in (text or "").split():
                term = "".join(ch for ch in word if ch.isascii() and ch.isalnum())[:40]
                if term:
                    found.add((0, term))
                    if term.isdigit() and len(term) > 3:
                        found.add((1, term[::-1]))
            rows += [{"kind": kind, "term": term, "dossier_id": dossier_id} for kind, term in sorted(found)]
        if rows:
            connection.execute(sa.insert(terms), rows)
        last = chunk[-1][0]
