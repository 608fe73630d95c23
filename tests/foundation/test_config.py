"""Configuration from COMMUNE_* variables, the secret key kept safe, SQLite tuned, quiet logs."""
import logging
import os
import stat

import pytest
import sqlalchemy as sa

from commune import create_app
from commune.config import load_secret_key
from commune.extensions import db
from tests.conftest import PG_URL


def test_secret_key_is_generated_once_and_kept_private(tmp_path, monkeypatch):
    monkeypatch.delenv("COMMUNE_SECRET_KEY", raising=False)
    first = load_secret_key(tmp_path)
    second = load_secret_key(tmp_path)
    assert first == second and len(first) >= 32
    mode = stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode)
    assert mode == 0o600


def test_secret_key_from_the_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMUNE_SECRET_KEY", "from-env")
    assert load_secret_key(tmp_path) == "from-env"
    assert not (tmp_path / "secret_key").exists()


def test_commune_environment_variables_configure_an_independent_site(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMUNE_INSTANCE_PATH", str(tmp_path / "inst"))
    monkeypatch.setenv("COMMUNE_DATA_DIR", str(tmp_path / "files"))
    monkeypatch.setenv("COMMUNE_DATABASE_URL", f"sqlite:///{tmp_path / 'other.db'}")
    monkeypatch.setenv("COMMUNE_PORT", "5055")
    monkeypatch.setenv("COMMUNE_HOST", "0.0.0.0")
    app = create_app()
    assert app.config["COMMUNE_PORT"] == 5055
    assert app.config["COMMUNE_HOST"] == "0.0.0.0"
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("other.db")
    assert (tmp_path / "files").is_dir()
    assert (tmp_path / "inst" / "secret_key").exists()


def test_postgresql_urls_use_psycopg3(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMUNE_INSTANCE_PATH", str(tmp_path))
    app = create_app({"SQLALCHEMY_DATABASE_URI": "postgresql://u@localhost/db", "SECRET_KEY": "x"})
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")


@pytest.mark.skipif(bool(PG_URL), reason="SQLite pragmas only apply to the SQLite run")
def test_sqlite_runs_in_wal_mode_with_foreign_keys(app):
    with db.engine.connect() as connection:
        assert connection.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(sa.text("PRAGMA busy_timeout")).scalar() == 5000


def test_request_log_is_one_line_without_personal_data(client, caplog):
    caplog.set_level(logging.INFO, logger="commune.request")
    client.get("/ngon-ngu/en?next=/tra-cuu?phone=0912345678")
    lines = [r.getMessage() for r in caplog.records if r.name == "commune.request"]
    assert len(lines) == 1
    assert lines[0].startswith("GET /ngon-ngu/<code> 302 ")
    assert lines[0].endswith("ms")
    assert "0912345678" not in lines[0]
