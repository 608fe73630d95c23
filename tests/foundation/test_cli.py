"""The CLI a newcomer uses: setup, catalog load, users create, demo."""
import json

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from commune.accounts.models import User
from commune.catalog.models import Procedure, RequiredDocument
from commune.dossiers.models import Dossier
from commune.dossiers.search import matching_ids
from commune.extensions import db, schema_objects_for
from tests.conftest import PG_URL, reset_pg_schema
from tests.factories import make_dossier, make_procedure


def _count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _drop_everything():
    db.session.remove()
    db.drop_all()
    with db.engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))


def test_setup_migrates_an_empty_database_and_loads_the_catalog(app, runner):
    """What `make run` does on a fresh machine: migrations, then the real catalog."""
    _drop_everything()
    try:
        result = runner.invoke(args=["setup"])
        assert result.exit_code == 0, result.output
        assert "57 procedures" in result.output
        assert _count(Procedure) == 57
        # Running it again keeps the data and loads nothing twice.
        result = runner.invoke(args=["setup"])
        assert result.exit_code == 0, result.output
        assert "kept" in result.output
        assert _count(Procedure) == 57
    finally:
        if PG_URL:
            _drop_everything()
            reset_pg_schema()


def test_migrations_describe_exactly_the_models(app, runner):
    """Every schema change has its migration: the migrated schema equals the models."""
    _drop_everything()
    try:
        result = runner.invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={
                "compare_type": True, "include_object": schema_objects_for(connection.dialect.name)})
            diff = compare_metadata(context, db.metadata)
        assert diff == [], f"models differ from migrations; run `flask db migrate`: {diff}"
    finally:
        if PG_URL:
            _drop_everything()
            reset_pg_schema()


def test_catalog_load_is_idempotent(runner):
    first = runner.invoke(args=["catalog", "load"])
    assert first.exit_code == 0, first.output
    assert "57 procedures added" in first.output
    documents = _count(RequiredDocument)
    second = runner.invoke(args=["catalog", "load"])
    assert "0 procedures added, 0 updated" in second.output
    assert _count(Procedure) == 57
    assert _count(RequiredDocument) == documents


def test_catalog_load_updates_a_changed_procedure(runner, tmp_path, catalog):
    data = json.loads(json.dumps(catalog))
    data["procedures"][0]["fee_vnd"] = 5000
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(args=["catalog", "load", str(path)])
    assert "0 procedures added, 1 updated" in result.output
    procedure = db.session.scalar(sa.select(Procedure).filter_by(slug=data["procedures"][0]["slug"]))
    assert procedure.fee_vnd == 5000
    assert procedure.version == 2


def test_malformed_catalog_names_the_entry_and_changes_nothing(runner, tmp_path, catalog):
    data = json.loads(json.dumps(catalog))
    data["procedures"][3]["fee_vnd"] = 1  # a valid change that must NOT be applied
    data["procedures"][10]["processing_days"] = "ba ngày"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(args=["catalog", "load", str(path)])
    assert result.exit_code != 0
    assert data["procedures"][10]["slug"] in result.output
    assert "processing_days" in result.output
    unchanged = db.session.scalar(sa.select(Procedure).filter_by(slug=data["procedures"][3]["slug"]))
    assert unchanged.fee_vnd != 1


def test_catalog_load_rejects_a_file_that_is_not_json(runner, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{ not json", encoding="utf-8")
    result = runner.invoke(args=["catalog", "load", str(path)])
    assert result.exit_code != 0
    assert "not valid JSON" in result.output
    assert _count(Procedure) == 0


def test_users_create_reads_the_password_from_stdin(runner):
    result = runner.invoke(args=["users", "create", "thu", "--role", "clerk", "--full-name", "Lê Thị Thu",
                                 "--password-stdin"], input="mot-mat-khau-dai\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).filter_by(username="thu"))
    assert user.role == "clerk" and user.full_name == "Lê Thị Thu"
    assert user.check_password("mot-mat-khau-dai")
    assert "mot-mat-khau-dai" not in user.password_hash


def test_users_create_refuses_unknown_roles_short_passwords_and_duplicates(runner):
    bad_role = runner.invoke(args=["users", "create", "a", "--role", "boss", "--password-stdin"], input="x" * 10)
    assert bad_role.exit_code != 0 and "unknown role" in bad_role.output
    short = runner.invoke(args=["users", "create", "a", "--role", "clerk", "--password-stdin"], input="abc\n")
    assert short.exit_code != 0 and "8 characters" in short.output
    runner.invoke(args=["users", "create", "a", "--role", "clerk", "--password-stdin"], input="x" * 10)
    again = runner.invoke(args=["users", "create", "a", "--role", "clerk", "--password-stdin"], input="x" * 10)
    assert again.exit_code != 0 and "already exists" in again.output
    assert _count(User) == 1


def test_users_create_prompts_for_the_password(runner):
    result = runner.invoke(args=["users", "create", "lan", "--role", "leader"], input="mat-khau-lan\nmat-khau-lan\n")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(User).filter_by(username="lan")).check_password("mat-khau-lan")


def test_demo_fills_a_commune_anyone_can_try(runner):
    result = runner.invoke(args=["demo", "--dossiers", "40"])
    assert result.exit_code == 0, result.output
    for role in ("admin", "clerk", "officer", "leader", "postal"):
        assert f"demo-{role}" in result.output
    assert result.output.count("password:") == 5
    assert _count(Dossier) == 40
    statuses = set(db.session.scalars(sa.select(Dossier.status)))
    assert {"submitted", "returned"} <= statuses
    # Passwords are printed once: a second run keeps them.
    again = runner.invoke(args=["demo", "--dossiers", "1"])
    assert "password:" not in again.output


def test_backup_copies_the_database_and_files(app, runner, tmp_path, catalog):
    import sqlite3

    data_dir = tmp_path / "data" / "files" / "ab"
    data_dir.mkdir(parents=True)
    (data_dir / "abcdef").write_bytes(b"photo bytes")
    result = runner.invoke(args=["backup", str(tmp_path / "backups")])
    assert result.exit_code == 0, result.output
    [folder] = list((tmp_path / "backups").iterdir())
    assert (folder / "data" / "files" / "ab" / "abcdef").read_bytes() == b"photo bytes"
    if not PG_URL:
        copy = sqlite3.connect(folder / "commune.db")
        assert copy.execute("SELECT count(*) FROM procedures").fetchone()[0] == 57
        copy.close()


def test_setup_warns_loudly_when_the_public_address_is_not_set(app, runner):
    """Without COMMUNE_PUBLIC_URL the receipt would print the loopback address: setup says so."""
    _drop_everything()
    try:
        app.config["COMMUNE_PUBLIC_URL"] = ""
        result = runner.invoke(args=["setup"])
        assert result.exit_code == 0, result.output
        assert "WARNING: COMMUNE_PUBLIC_URL is not set" in result.output + (result.stderr or "")
        app.config["COMMUNE_PUBLIC_URL"] = "https://motcua.xa.gov.vn"
        result = runner.invoke(args=["setup"])
        assert result.exit_code == 0, result.output
        assert "COMMUNE_PUBLIC_URL is not set" not in result.output + (result.stderr or "")
    finally:
        if PG_URL:
            _drop_everything()
            reset_pg_schema()


def test_a_migrated_database_finds_dossiers_by_name_and_last_digits(app, runner):
    """The full-text index the migration builds follows every write (SQLite: its triggers)."""
    _drop_everything()
    try:
        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
        dossier = make_dossier(make_procedure(), "received", applicant_name="Lò Thị Mai",
                               applicant_phone="0977123456")
        db.session.commit()
        assert db.session.scalars(matching_ids(["mai"])).all() == [dossier.id]
        assert db.session.scalars(matching_ids(["3456"])).all() == [dossier.id]
        db.session.delete(dossier)
        db.session.commit()
        assert db.session.scalars(matching_ids(["mai"])).all() == []
    finally:
        db.session.remove()
        if PG_URL:
            _drop_everything()
            reset_pg_schema()
