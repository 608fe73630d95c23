"""The migration that replaces every clear lookup key by its keyed hash (c4e7a2f9b318), on SQLite and PostgreSQL."""
import sqlalchemy as sa

from commune.dossiers.codes import hash_lookup_key
from commune.dossiers.models import Dossier
from commune.extensions import db
from tests.conftest import reset_pg_schema
from tests.factories import new_dossier

BEFORE, AFTER = "a3f8b1d6c902", "c4e7a2f9b318"


def _columns():
    return {c["name"] for c in sa.inspect(db.engine).get_columns("dossiers")}


def test_the_migration_hashes_the_keys_already_given_and_they_keep_opening(app, runner, client):
    given = {new_dossier().id: "ACDEFG", new_dossier().id: "K7QMX4"}
    erased = new_dossier().id  # retention erased its key: stays without one
    db.session.commit()
    codes = {i: db.session.get(Dossier, i).code for i in [*given, erased]}
    db.session.remove()
    try:
        with db.engine.begin() as connection:  # the table as the revision before this one left it
            connection.execute(sa.text("ALTER TABLE dossiers ADD COLUMN lookup_key VARCHAR(16)"))
            for dossier_id, key in given.items():
                connection.execute(sa.text("UPDATE dossiers SET lookup_key = :key WHERE id = :id"),
                                   {"key": key, "id": dossier_id})
            connection.execute(sa.text("ALTER TABLE dossiers DROP COLUMN lookup_key_hash"))
        assert runner.invoke(args=["db", "stamp", BEFORE]).exit_code == 0
        result = runner.invoke(args=["db", "upgrade", AFTER])
        assert result.exit_code == 0, result.output
        assert "lookup_key" not in _columns() and "lookup_key_hash" in _columns()
        stored = dict(db.session.execute(sa.select(Dossier.id, Dossier.lookup_key_hash)).all())
        assert stored == {**{i: hash_lookup_key(codes[i], key) for i, key in given.items()}, erased: None}
        db.session.remove()
        for dossier_id, key in given.items():  # the villager's receipt still opens the dossier
            response = app.test_client().post("/tra-cuu", data={"code": codes[dossier_id], "secret": key.lower()})
            assert response.status_code == 302
        # Down and up again: the clear keys cannot come back (the column returns empty).
        assert runner.invoke(args=["db", "downgrade", BEFORE]).exit_code == 0
        assert "lookup_key" in _columns() and "lookup_key_hash" not in _columns()
        assert runner.invoke(args=["db", "upgrade", AFTER]).exit_code == 0
        assert "lookup_key_hash" in _columns()
    finally:
        db.session.remove()
        reset_pg_schema()
