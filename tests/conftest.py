"""Fixtures: app, client, runner, login_as(role), the real catalog; a fresh database per test.

The suite runs on SQLite and, when COMMUNE_TEST_DATABASE_URL names a PostgreSQL database, on
PostgreSQL. Each test gets a fresh database without paying for building one:
- SQLite: the schema (and the schema with the real catalog) is built once per process into a
  template file, and each test gets its own copy of that file (about 1 ms instead of 60–150 ms);
- PostgreSQL: the schema is made once per process, its tables emptied per test.
Under pytest-xdist (`make test` runs two workers) each worker has a PostgreSQL database of its own,
`<name>_gw0`, `<name>_gw1`…, created on first use.
"""
import atexit
import os
import shutil
import sqlite3
import tempfile
from contextlib import closing
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from jinja2 import BytecodeCache

from commune import create_app
from commune.extensions import db, limiter
from tests.shared_builders import RuleWithSharedBuilders

# Every app the suite makes shares its rules' compiled URL builders (tests/shared_builders.py).
Flask.url_rule_class = RuleWithSharedBuilders

WORKER = os.environ.get("PYTEST_XDIST_WORKER")  # "gw0", "gw1"… under pytest-xdist, else None


def _worker_url(url):
    """The worker's own database beside the named one (one database per xdist worker)."""
    if not url or not WORKER:
        return url
    from sqlalchemy.engine import make_url

    base = make_url(url)
    return base.set(database=f"{base.database}_{WORKER}").render_as_string(hide_password=False)


PG_URL = _worker_url(os.environ.get("COMMUNE_TEST_DATABASE_URL"))
if PG_URL:
    # Subprocesses (drills, the crawl) started by this worker use its database too.
    os.environ["COMMUNE_TEST_DATABASE_URL"] = PG_URL
IN_CI = os.environ.get("CI") == "true"
_pg_schema_ready = False
TEST_PASSWORD_HASH = "scrypt:1024:8:1"


@pytest.hookimpl(trylast=True)  # after the folders' own hooks have marked their drills
def pytest_collection_modifyitems(items):
    """Under pytest-xdist (`--dist loadgroup`), the drills sharing a module- or package-wide server
    process run on one worker, so that server starts once. Other module-wide fixtures (the fuzz's
    and the access matrix's populated commune, in process) are built once per worker instead: their
    tests are the longest of the suite, and two workers share them."""
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        if info is None or item.get_closest_marker("drill") is None:
            continue
        for definitions in info.name2fixturedefs.values():
            shared = [d for d in definitions if d.scope in ("module", "package")]
            if shared:
                item.add_marker(pytest.mark.xdist_group(shared[-1].baseid or item.module.__name__))
                break


def pytest_report_header(config):
    return f"database: {'PostgreSQL ' + PG_URL if PG_URL else 'SQLite (a copy of a template file per test)'}"


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


def make_app(tmp_path, with_catalog=False, fixture_database=False, **overrides):
    """A new app on a fresh database: an empty schema, or (with_catalog) the schema with the real
    catalog loaded as `make run` loads it. Used by the `app` fixture (fixture_database: on SQLite,
    this worker's one fixture file, replaced by a fresh copy) and by tests that need settings."""
    global _pg_schema_ready
    tmp_path = Path(tmp_path)
    config = _test_config(tmp_path)
    config.update(overrides)
    os.environ.setdefault("COMMUNE_INSTANCE_PATH", str(tmp_path / "instance"))
    uri = config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///") and uri == _test_config(tmp_path)["SQLALCHEMY_DATABASE_URI"]:
        if fixture_database:
            path = _fresh_fixture_file(with_catalog)
            config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
        elif not (tmp_path / "test.db").exists():  # a second app on the same folder finds the first's data
            tmp_path.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(_sqlite_template(with_catalog), tmp_path / "test.db")
        elif with_catalog:
            raise ValueError("with_catalog is for a new database")
        app = create_app(config)
        if fixture_database:
            _share_engine(app)
    else:
        app = create_app(config)
        if PG_URL and uri == PG_URL:
            _share_engine(app)
        with app.app_context():
            if PG_URL and uri == PG_URL:
                if not _pg_schema_ready:
                    _ensure_pg_database(PG_URL)
                    db.drop_all()
                    db.session.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
                    db.session.commit()
                    db.create_all()
                    _pg_schema_ready = True
                else:
                    truncate_all()
            else:
                db.create_all()
            if with_catalog:
                _load_real_catalog()
    app.test_client_class = VisitorClient
    app.jinja_env.bytecode_cache = _TEMPLATE_CODE
    limiter.reset()
    return app


_ENGINES = {}  # (URL, engine settings) -> this worker's engine for that database


def _share_engine(app):
    """Give the app this worker's engine for its database (made by the first app that used it).

    SQLAlchemy caches each compiled statement per engine: with a new engine per test, every query
    was compiled again in every test (a fifth of the suite's CPU). The engine carries no app state:
    its pool is emptied after each test (the `app` fixture disposes of it), and the listeners
    create_app puts on an engine (SQLite's pragmas, PostgreSQL's session settings) are on the
    shared one since its first app; apps whose engine settings differ get an engine of their own."""
    with app.app_context():
        own = db.engine
        key = (own.url.render_as_string(hide_password=False), repr(app.config.get("SQLALCHEMY_ENGINE_OPTIONS")),
               app.config.get("SQLALCHEMY_ECHO"), app.config.get("SQLALCHEMY_RECORD_QUERIES"),
               app.config.get("COMMUNE_PG_WORK_MEM"))
        shared = _ENGINES.setdefault(key, own)
        if shared is not own:
            own.dispose()
            db.engines[None] = shared  # Flask-SQLAlchemy's own map of this app's engines


_fixture = {}  # this worker's fixture file: its path, its schema's version, its generation


def _fresh_fixture_file(with_catalog):
    """This worker's database file for the `app` fixture, emptied (and filled with the catalog if
    asked) in place: the file stays, so connections other apps of the previous test left open see
    an empty database, never a file replaced under them. A test that changed the schema (a
    migration drill) leaves it to a new file of the next generation, with an engine of its own."""
    path = _fixture.get("path")
    if path is not None:
        with closing(sqlite3.connect(path, timeout=5, isolation_level=None)) as connection:
            if connection.execute("PRAGMA schema_version").fetchone()[0] == _fixture["schema_version"]:
                _empty_in_place(connection)
                if with_catalog:
                    _copy_rows(connection, _sqlite_template(True))
                return path
    _fixture["generation"] = _fixture.get("generation", 0) + 1
    path = _fixture["path"] = _worker_folder() / f"fixture-{_fixture['generation']}.db"
    shutil.copyfile(_sqlite_template(False), path)
    with closing(sqlite3.connect(path, timeout=5, isolation_level=None)) as connection:
        _fixture["schema_version"] = connection.execute("PRAGMA schema_version").fetchone()[0]
        if with_catalog:
            _copy_rows(connection, _sqlite_template(True))
    return path


def _tables(connection, schema="main"):
    """Ordinary tables of a SQLite schema, without the full-text index's own (shadow) tables."""
    rows = connection.execute(f"SELECT name, sql FROM {schema}.sqlite_master WHERE type = 'table'").fetchall()
    virtual = [name for name, sql in rows if (sql or "").upper().startswith("CREATE VIRTUAL")]
    return virtual, [name for name, _ in rows if name not in virtual and not name.startswith("sqlite_")
                     and not any(name.startswith(f"{v}_") for v in virtual)]


def _empty_in_place(connection):
    virtual, tables = _tables(connection)
    connection.execute("PRAGMA foreign_keys = OFF")
    connection.execute("BEGIN IMMEDIATE")
    for name in tables:
        connection.execute(f'DELETE FROM "{name}"')
    for name in virtual:  # the dossiers' full-text index (external content): emptied with them
        connection.execute(f"INSERT INTO \"{name}\"(\"{name}\") VALUES ('delete-all')")
    if connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").fetchone():
        connection.execute("DELETE FROM sqlite_sequence")
    connection.execute("COMMIT")


def _copy_rows(connection, template):
    """Every row of the template file (the real catalog) into the emptied fixture file."""
    connection.execute("ATTACH DATABASE ? AS template", (str(template),))
    try:
        _, tables = _tables(connection, "template")
        connection.execute("BEGIN IMMEDIATE")
        for name in tables:
            connection.execute(f'INSERT INTO main."{name}" SELECT * FROM template."{name}"')
        if connection.execute("SELECT 1 FROM template.sqlite_master WHERE name = 'sqlite_sequence'").fetchone():
            connection.execute("INSERT INTO main.sqlite_sequence SELECT * FROM template.sqlite_sequence")
        connection.execute("COMMIT")
    finally:
        connection.execute("DETACH DATABASE template")


_folders = {}


def _worker_folder():
    if "worker" not in _folders:
        folder = Path(tempfile.mkdtemp(prefix="commune-worker-"))
        atexit.register(shutil.rmtree, folder, True)
        _folders["worker"] = folder
    return _folders["worker"]


class _TemplateCode(BytecodeCache):
    """Compiled templates shared by every app this process makes: a new app per test would
    otherwise parse and compile each template again (a quarter of the suite's time). Jinja checks
    each template's source against its checksum, so an edited template is compiled anew."""

    def __init__(self):
        self.codes = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.codes:
            bucket.bytecode_from_string(self.codes[bucket.key])

    def dump_bytecode(self, bucket):
        self.codes[bucket.key] = bucket.bytecode_to_string()


_TEMPLATE_CODE = _TemplateCode()


def _load_real_catalog():
    from commune.catalog.loader import load_catalog, read_catalog

    load_catalog(read_catalog())
    db.session.commit()


_templates = {}  # with_catalog -> path of this process's template SQLite file


def _sqlite_template(with_catalog):
    """The SQLite file every test copies: built once per process (schema, and the catalog if asked)."""
    if with_catalog not in _templates:
        folder = Path(tempfile.mkdtemp(prefix="commune-template-"))
        atexit.register(shutil.rmtree, folder, True)
        path = folder / ("catalog.db" if with_catalog else "empty.db")
        config = _test_config(folder)
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
        app = create_app(config)
        with app.app_context():
            db.create_all()
            if with_catalog:
                _load_real_catalog()
            db.session.remove()
            db.engine.dispose()  # the last connection closes: WAL checkpointed into the file
        assert not Path(f"{path}-wal").exists(), "the template must be one self-contained file"
        _templates[with_catalog] = path
    return _templates[with_catalog]


def _ensure_pg_database(url):
    """Create the worker's PostgreSQL database if it does not exist yet."""
    import psycopg
    from sqlalchemy.engine import make_url

    target = make_url(url)
    admin = target.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (target.database,)).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{target.database}"')


def truncate_all():
    names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    db.session.commit()


def reset_pg_schema():
    """After a test that rebuilt the schema its own way (migrations), make the next test recreate it."""
    global _pg_schema_ready
    _pg_schema_ready = False


@pytest.fixture
def app(request, tmp_path, monkeypatch):
    """The app, with an app context for the test's own arranging and reading (factories, queries);
    every request of `client` runs in a context of its own (VisitorClient). A test that asks for
    `catalog` starts from the database with the real catalog already loaded."""
    monkeypatch.setenv("COMMUNE_INSTANCE_PATH", str(tmp_path / "instance"))
    app = make_app(tmp_path, with_catalog="catalog" in request.fixturenames, fixture_database=True)
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
    """The real default catalog, loaded as `make run` loads it (the `app` fixture started from it)."""
    from commune.catalog.loader import read_catalog

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
