"""Catalog pages are built once per catalog state, and an edit is seen at once, never stale."""
import brotli
import sqlalchemy as sa

from commune import create_app
from commune.catalog.queries import procedure_by_slug
from commune.core.settings import set_setting
from commune.extensions import db
from commune.web.page_cache import cache
from tests.journeys import procedure_data

PAGE = "/thu-tuc/chung-thuc-ban-sao-tu-ban-chinh"
API = "/api/procedures/chung-thuc-ban-sao-tu-ban-chinh"


def test_an_admin_edit_is_read_back_at_once_by_every_villager(app, client, catalog, login_as):
    before = client.get(PAGE)
    again = client.get(PAGE)
    assert again.headers["ETag"] == before.headers["ETag"] and again.data == before.data
    assert "2.000 đ" in before.get_data(as_text=True)
    assert client.get(API).get_json()["fee_vnd"] == 2000

    admin = app.test_client()
    login_as("admin", client_=admin)
    procedure = procedure_by_slug("chung-thuc-ban-sao-tu-ban-chinh")
    edit = admin.post(f"/quan-tri/thu-tuc/{procedure.id}", data=procedure_data(procedure, fee_vnd="3000"))
    assert edit.status_code == 302

    after = client.get(PAGE, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and "3.000 đ" in after.get_data(as_text=True)
    assert client.get(API).get_json()["fee_vnd"] == 3000
    assert "3.000 đ" in client.get("/tim-kiem?q=chung+thuc+ban+sao").get_data(as_text=True)


def test_a_settings_edit_reaches_the_cached_home_page(client, catalog, login_as):
    home = client.get("/")
    assert "0200 3 800 000" in home.get_data(as_text=True)
    set_setting("office_phone", "0209 123 456")
    db.session.commit()
    assert "0209 123 456" in client.get("/").get_data(as_text=True)


def test_a_repeat_visit_runs_no_database_query(app, client, catalog):
    app.config["COMMUNE_PAGES_RECHECK_SECONDS"] = 600
    for url in (PAGE, API):
        client.get(url, headers={"Accept-Encoding": "br"})  # built and kept
    statements = []

    def count(*_args):
        statements.append(1)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        for url in (PAGE, API, PAGE):
            assert client.get(url, headers={"Accept-Encoding": "br"}).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert statements == [], "a page already built must be answered without SQL"


def test_an_edit_from_another_process_is_seen_after_the_recheck(app, client, catalog):
    assert "2.000 đ" in client.get(PAGE).get_data(as_text=True)
    other = create_app(dict(app.config))  # the CLI or a second server process on the same database
    with other.app_context():
        procedure_by_slug("chung-thuc-ban-sao-tu-ban-chinh").fee_vnd = 4000
        db.session.commit()
        db.session.remove()
    app.config["COMMUNE_PAGES_RECHECK_SECONDS"] = 0  # the interval has passed
    assert "4.000 đ" in client.get(PAGE).get_data(as_text=True)


def test_compressed_forms_are_the_page(client, catalog):
    plain = client.get(PAGE, headers={"Accept-Encoding": "identity"})
    packed = client.get(PAGE, headers={"Accept-Encoding": "gzip, br"})
    assert packed.headers["Content-Encoding"] == "br" and "Accept-Encoding" in packed.headers["Vary"]
    assert brotli.decompress(packed.data) == plain.data
    assert "Content-Encoding" not in plain.headers


def test_staff_pages_are_never_kept_for_villagers(app, client, catalog, login_as):
    clerk = app.test_client()
    login_as("clerk", client_=clerk)
    assert 'name="csrf_token"' in clerk.get("/").get_data(as_text=True)  # the logout form
    villager = client.get("/").get_data(as_text=True)
    assert 'name="csrf_token"' not in villager and "Dành cho cán bộ" in villager


def test_the_cache_stays_within_its_bytes(app, client, catalog):
    app.config["COMMUNE_PAGE_CACHE_BYTES"] = 60_000
    app.extensions.pop("page_cache", None)
    for n in range(60):
        assert client.get(f"/tim-kiem?q=khai+sinh+{n}", headers={"Accept-Encoding": "gzip"}).status_code == 200
    with app.test_request_context():
        kept = cache()
    assert 0 < kept.total <= 60_000
    assert len(kept.pages) < 60  # the oldest were dropped
