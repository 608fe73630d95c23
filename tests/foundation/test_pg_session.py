"""On PostgreSQL every connection gets the work_mem the search's bitmaps need (COMMUNE_PG_WORK_MEM)."""
import pytest

from commune.extensions import db
from commune.web.setup import _pg_work_mem
from tests.conftest import PG_URL


@pytest.mark.skipif(not PG_URL, reason="a PostgreSQL setting")
def test_each_connection_has_the_configured_work_mem(app):
    assert db.session.execute(db.text("SHOW work_mem")).scalar() == "16MB"
    db.session.rollback()  # a rolled-back request keeps it: it was set in its own committed step
    assert db.session.execute(db.text("SHOW work_mem")).scalar() == "16MB"


def test_only_a_size_is_accepted(app):
    for value, expected in (("16MB", "16MB"), ("512kB", "512kB"), ("", None), ("16MB'; DROP TABLE x; --", None),
                            ("lots", None)):
        app.config["COMMUNE_PG_WORK_MEM"] = value
        assert _pg_work_mem(app) == expected
