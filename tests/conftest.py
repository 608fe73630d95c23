"""Fixtures: app, client, runner, login_as(role), the real catalog; a fresh database per test.

The suite runs on SQLite (a new file per test) and, when COMMUNE_TEST_DATABASE_URL
names a PostgreSQL database, on PostgreSQL (schema made once, tables emptied per test).
"""
import os

import pytest
import sqlalchemy as sa
from flask import has_app_context
from flask.testing import FlaskClient

from commune import create_app
from commune.extensions import db, limiter

PG_URL = os.environ.get("COMMUNE_TEST_DATABASE_URL")
IN_CI = os.environ.get("CI") == "true"
_pg_schema_ready = False
TEST_PASSWORD_HASH = "scrypt:1024:8:1"


def pytest_report_header(config):
    return f"database: {'PostgreSQL ' + PG_URL if PG_URL else 'SQLite (a new file per test)'}"


def _test_config(tmp_path):
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "WTF_CSRF_ENABLED": False,
        "SQLALCHEMY_DATABASE_URI": PG_URL or f"sqlite:///{tmp_path / 'test.db'}",
        "COMMUNE_DATA_DIR": str(tmp_path / "data"),
        "COMMUNE_SEND_NOTICES": False,
        "COMMUNE_PUBLIC_URL": "http://localhost",  # absolute URLs come only from configuration
        "RATELIMIT_ENABLED": True,
        "COMMUNE_LOOKUP_LIMIT": "1000 per minute",
        "COMMUNE_LOGIN_LIMIT": "1000 per minute",
        "COMMUNE_UPLOAD_LIMIT": "1000 per minute",
        "COMMUNE_DRAFT_LIMIT": "1000 per minute",
        "COMMUNE_SUBMIT_LIMIT": "1000 per minute",
        # Real scrypt at a 32nd of the site's cost: a thousand logins are not what the suite tests
        # (tests/accounts/test_password_cost.py checks the site's own cost).
        "COMMUNE_PASSWORD_HASH": TEST_PASSWORD_HASH,
    }


class VisitorClient(FlaskClient):
    """A visitor's browser. Each request runs in an app context of its own (its own `g`, its own
    database session), as on the real server, never in the test's.

    What the test arranged is committed before the visitor arrives, and afterwards the test's
    session reads the database anew: a test sees what the request committed, nothing else."""

    def open(self, *args, **kwargs):
        arranged = has_app_context()
        if arranged:
            db.session.commit()
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        if arranged:
            db.session.expire_all()
        return response


def make_app(tmp_path, **overrides):
    """A new app on a fresh, empty schema (used by the `app` fixture and by tests that need settings)."""
    global _pg_schema_ready
    config = _test_config(tmp_path)
    config.update(overrides)
    os.environ.setdefault("COMMUNE_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(config)
    app.test_client_class = VisitorClient

    with app.app_context():
        if PG_URL:
            if not _pg_schema_ready:
                db.drop_all()
                db.session.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
                db.session.commit()
                db.create_all()
                _pg_schema_ready = True
            else:
                truncate_all()
        else:
            db.create_all()
    limiter.reset()
    return app


def truncate_all():
    names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    db.session.commit()


def reset_pg_schema():
    """After a test that rebuilt the schema its own way (migrations), make the next test recreate it."""
    global _pg_schema_ready
    _pg_schema_ready = False


@pytest.fixture
def app(tmp_path, monkeypatch):
    """The app, with an app context for the test's own arranging and reading (factories, queries);
    every request of `client` runs in a context of its own (VisitorClient)."""
    monkeypatch.setenv("COMMUNE_INSTANCE_PATH", str(tmp_path / "instance"))
    app = make_app(tmp_path)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def catalog(app):
    """The real default catalog, loaded as `make run` loads it."""
    from commune.catalog.loader import load_catalog, read_catalog

    load_catalog(read_catalog())
    db.session.commit()
    return read_catalog()


@pytest.fixture
def login_as(app, client):
    """login_as('clerk') creates a staff member of that role and logs the client in through the form."""
    from tests.factories import make_user

    def login(role, username=None, client_=None):
        user = make_user(role, username=username)
        db.session.commit()
        target = client_ or client
        response = target.post("/dang-nhap", data={"username": user.username, "password": "mat-khau-123"})
        assert response.status_code == 302, "test login failed"
        return user

    return login
