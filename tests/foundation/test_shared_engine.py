"""The harness's shared engine (tests/conftest.py): each test still starts from an empty database,
and the engine it shares keeps the settings the site puts on every connection."""
import pytest
import sqlalchemy as sa

from commune.extensions import db
from tests.conftest import PG_URL, make_app
from tests.factories import make_user


def test_each_fixture_app_starts_empty_on_the_same_engine(tmp_path):
    first = make_app(tmp_path / "a", fixture_database=True)
    with first.app_context():
        engine = db.engine
        make_user("clerk", username="nguoi-truoc")
        db.session.commit()
        db.session.remove()
    second = make_app(tmp_path / "b", fixture_database=True)
    with second.app_context():
        assert db.engine is engine  # one engine: its compiled statements outlive each test's app
        assert db.session.scalar(sa.text("SELECT count(*) FROM users")) == 0  # but not its data
        db.session.remove()
        db.engine.dispose()


@pytest.mark.skipif(bool(PG_URL), reason="SQLite's pragmas")
def test_the_shared_engine_keeps_sqlites_pragmas(tmp_path):
    for folder in ("a", "b"):
        app = make_app(tmp_path / folder, fixture_database=True)
        with app.app_context():
            with db.engine.connect() as connection:
                assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            db.engine.dispose()
