"""PostgreSQL keeps each dossier's search vector in a stored generated column

The GIN index was on the expression to_tsvector('simple', search_text): every row a query tested
outside the index (walking the newest-first list, rechecking a bitmap) parsed its text again. A
stored generated column holds the vector once, written by the database in the row's own write;
the GIN index moves onto it. SQLite (FTS5) is unchanged. The ALTER rewrites the table: at a
million dossiers it takes a few minutes (BENCHMARKS.md).

Revision ID: d5a9c3e7f214
Revises: b2e6f0c3a871
Create Date: 2026-12-01 23:10:00

"""
from alembic import op

revision = 'd5a9c3e7f214'
down_revision = 'b2e6f0c3a871'
branch_labels = None
depends_on = None

VECTOR = "to_tsvector('simple', search_text)"


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_dossiers_search_vector")
    op.execute(f"ALTER TABLE dossiers ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({VECTOR}) STORED")
    op.execute("CREATE INDEX ix_dossiers_search_vector ON dossiers USING gin (search_vector)")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_dossiers_search_vector")
    op.execute("ALTER TABLE dossiers DROP COLUMN search_vector")
    op.execute(f"CREATE INDEX ix_dossiers_search_vector ON dossiers USING gin ({VECTOR})")
