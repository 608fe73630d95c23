"""The sync secret sealed at rest; no raw remote answer kept

The province's secret (settings.sync_secret) was kept in clear. It is sealed here as
commune/sync/secret_box.py keeps it: Fernet, with a key derived by HKDF-SHA256 from the app's
SECRET_KEY and a purpose label, together with the two addresses it was in use with (the saved
ones, else COMMUNE_SYNC_AUTH_URL / COMMUNE_SYNC_URL): it is sent to those only. The answers kept
on sync_records were raw bodies of whatever answered; they are emptied (the protocol's own
error code and message are kept from now on).

Revision ID: 38b28e6a9d59
Revises: c4e7a2f9b318
Create Date: 2026-12-02 10:00:00

"""
import base64
import json
import os

import sqlalchemy as sa
from alembic import op
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

revision = '38b28e6a9d59'
down_revision = 'c4e7a2f9b318'
branch_labels = None
depends_on = None

# The "fernet1:" format of commune/sync/secret_box.py, frozen here as it was written.
PREFIX = "fernet1:"
PURPOSE = b"commune.sync.secret/v1"
settings = sa.table("settings", sa.column("key", sa.String), sa.column("value", sa.Text))


def _fernet():
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PURPOSE).derive(
        str(current_app.config["SECRET_KEY"]).encode())
    return Fernet(base64.urlsafe_b64encode(key))


def _setting(bind, key):
    return bind.execute(sa.select(settings.c.value).where(settings.c.key == key)).scalar()


def _address(bind, key, env):
    saved = (_setting(bind, key) or "").strip()
    return saved or str(current_app.config.get(env, os.environ.get(env)) or "").strip()


def _write(bind, value):
    bind.execute(settings.update().where(settings.c.key == "sync_secret").values(value=value))


def upgrade():
    bind = op.get_bind()
    secret = _setting(bind, "sync_secret")
    if secret and not secret.startswith(PREFIX):
        data = json.dumps({"secret": secret.strip(),
                           "auth_url": _address(bind, "sync_auth_url", "COMMUNE_SYNC_AUTH_URL"),
                           "url": _address(bind, "sync_url", "COMMUNE_SYNC_URL")}, ensure_ascii=False)
        _write(bind, PREFIX + _fernet().encrypt(data.encode("utf-8")).decode("ascii"))
    bind.execute(sa.text("UPDATE sync_records SET answer = '' WHERE answer != ''"))


def downgrade():
    bind = op.get_bind()
    stored = _setting(bind, "sync_secret")
    if stored and stored.startswith(PREFIX):
        try:
            secret = json.loads(_fernet().decrypt(stored[len(PREFIX):].encode("ascii")))["secret"]
        except (InvalidToken, ValueError, KeyError, TypeError):
            secret = ""  # not readable with this key: typed again after the downgrade
        _write(bind, secret)
