"""The site hashes staff passwords with scrypt at werkzeug's full cost; the suite alone lowers it."""
from werkzeug.security import check_password_hash

from commune.accounts import services
from commune.config import build_config
from commune.extensions import db
from tests.conftest import TEST_PASSWORD_HASH, make_app
from tests.factories import PASSWORD, make_user


def test_a_site_left_to_its_defaults_hashes_with_full_cost_scrypt_and_checks_strangers_the_same(
        tmp_path, monkeypatch):
    monkeypatch.delenv("COMMUNE_PASSWORD_HASH", raising=False)
    site_method = build_config(str(tmp_path))["COMMUNE_PASSWORD_HASH"]
    assert site_method == "scrypt"
    app = make_app(tmp_path, COMMUNE_PASSWORD_HASH=site_method)
    with app.app_context():
        clerk = make_user("clerk")
        assert clerk.password_hash.startswith("scrypt:32768:8:1$")
        assert clerk.check_password(PASSWORD) and not clerk.check_password(PASSWORD + "x")
        # An unknown name is checked against a hash of the same cost (no shortcut to tell them apart).
        assert services.dummy_hash().split("$", 1)[0] == "scrypt:32768:8:1"
        assert not check_password_hash(services.dummy_hash(), PASSWORD)
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()


def test_the_suite_lowers_only_the_cost(app):
    clerk = make_user("clerk")
    assert TEST_PASSWORD_HASH.startswith("scrypt:")
    assert clerk.password_hash.startswith(TEST_PASSWORD_HASH + "$")
    assert clerk.check_password(PASSWORD)
