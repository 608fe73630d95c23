"""Lookup keys kept as keyed hashes: dossiers.lookup_key (clear) becomes lookup_key_hash

Each existing key is replaced by HMAC-SHA256(secret, "<code>:<key>"), the secret derived from the
app's SECRET_KEY exactly as commune/dossiers/codes.py does (copied here: a migration must not change
when the code does). Run it with the instance's real SECRET_KEY (`flask db upgrade` on the server):
under another secret every old key stops opening its dossier. The downgrade cannot give the keys
back: it leaves the clear column empty (villagers then use their phone number, or the desk).

Revision ID: c4e7a2f9b318
Revises: a3f8b1d6c902
Create Date: 2026-12-07 21:40:00

"""
import hashlib
import hmac

import sqlalchemy as sa
from alembic import op
from flask import current_app

revision = 'c4e7a2f9b318'
down_revision = 'a3f8b1d6c902'
branch_labels = None
depends_on = None

_KEY_PURPOSE = b"commune/lookup-key/v1"


def _normalise(text):
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


def _hash(secret, code, key):
    return hmac.new(secret, f"{_normalise(code)}:{_normalise(key)}".encode(), hashlib.sha256).hexdigest()


def upgrade():
    op.add_column('dossiers', sa.Column('lookup_key_hash', sa.String(length=64), nullable=True))
    key = current_app.config["SECRET_KEY"]
    secret = hmac.new(key.encode() if isinstance(key, str) else key, _KEY_PURPOSE, hashlib.sha256).digest()
    dossiers = sa.table('dossiers', sa.column('id', sa.Integer), sa.column('code', sa.String),
                        sa.column('lookup_key', sa.String), sa.column('lookup_key_hash', sa.String))
    connection = op.get_bind()
    last = 0
    while True:  # in batches: a million dossiers never sit in memory at once
        rows = connection.execute(
            sa.select(dossiers.c.id, dossiers.c.code, dossiers.c.lookup_key)
            .where(dossiers.c.id > last, dossiers.c.lookup_key.is_not(None), dossiers.c.code.is_not(None))
            .order_by(dossiers.c.id).limit(5000)).all()
        if not rows:
            break
        hashed = [{"row_id": row.id, "key_hash": _hash(secret, row.code, row.lookup_key)}
                  for row in rows if row.lookup_key]
        if hashed:
            connection.execute(dossiers.update().where(dossiers.c.id == sa.bindparam('row_id'))
                               .values(lookup_key_hash=sa.bindparam('key_hash')), hashed)
        last = rows[-1].id
    # Native DROP COLUMN (SQLite 3.35+, PostgreSQL): the clear keys leave the table, and SQLite does not
    # rebuild the dossiers table (its partial and expression indexes stay as they are).
    op.execute("ALTER TABLE dossiers DROP COLUMN lookup_key")


def downgrade():
    op.add_column('dossiers', sa.Column('lookup_key', sa.String(length=16), nullable=True))
    op.execute("ALTER TABLE dossiers DROP COLUMN lookup_key_hash")
