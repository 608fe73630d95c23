"""The site answers: home page, health check, headers, errors, language, compression, caching."""
import gzip
import re

from flask import abort

from commune.extensions import db


def test_home_shows_commune_name_and_fields(client, catalog):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "UBND xã Mẫu" in html
    assert "Hộ tịch" in html
    assert "Chứng thực" in html


def test_healthz_answers_when_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_healthz_reports_a_dead_database(tmp_path, monkeypatch):
    from tests.conftest import make_app

    app = make_app(tmp_path)
    with app.app_context():
        db.engine.dispose()
    # Point the engine at a database file that cannot be opened.
    monkeypatch.setitem(app.config, "SQLALCHEMY_DATABASE_URI", "sqlite:////nonexistent/dir/x.db")
    with app.app_context():
        engines = app.extensions["sqlalchemy"]._app_engines[app]
        from sqlalchemy import create_engine

        engines[None] = create_engine("sqlite:////nonexistent/dir/x.db")
        response = app.test_client().get("/healthz")
    assert response.status_code == 503


def test_strict_security_headers_on_every_page(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "style-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_script_or_style(client, catalog):
    html = client.get("/").get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script> breaks the CSP"
    assert " style=" not in html and "<style" not in html


def test_not_found_page_is_vietnamese_in_the_layout(client):
    response = client.get("/khong-co-trang-nay")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Không tìm thấy trang" in html
    assert "Giờ làm việc" in html  # the footer of the normal layout


def test_unexpected_error_shows_a_calm_page_without_trace(app, client):
    @app.route("/_boom")
    def boom():
        raise RuntimeError("secret internal detail")

    @app.route("/_big")
    def big():
        abort(413)

    response = client.get("/_boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Đã có lỗi" in html
    assert "secret internal detail" not in html and "Traceback" not in html
    response = client.get("/_big")
    assert response.status_code == 413
    assert "Tệp quá lớn" in response.get_data(as_text=True)


def test_language_switch_is_remembered(client, catalog):
    response = client.get("/ngon-ngu/en?next=/")
    assert response.status_code == 302
    assert "lang=en" in response.headers["Set-Cookie"]
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Tiếng Việt" in html  # the way back
    client.get("/ngon-ngu/vi?next=/")
    assert '<html lang="vi">' in client.get("/").get_data(as_text=True)


def test_language_switch_never_redirects_off_site(client):
    response = client.get("/ngon-ngu/en?next=https://evil.example/")
    assert response.headers["Location"] == "/"


def test_html_is_compressed(client, catalog):
    response = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert response.headers.get("Content-Encoding") == "gzip"
    assert "UBND xã Mẫu" in gzip.decompress(response.data).decode()


def test_stylesheet_is_fingerprinted_and_cached_for_a_year(client):
    html = client.get("/").get_data(as_text=True)
    css_href = re.search(r'<link rel="stylesheet" href="([^"]+)"', html).group(1)
    assert re.match(r"/assets/app\.[0-9a-f]{12}\.css", css_href)
    response = client.get(css_href)
    assert response.status_code == 200
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert ".site-header" in response.get_data(as_text=True)
    js_src = re.search(r'<script src="([^"]+htmx[^"]+)"', html).group(1)
    assert "?v=" in js_src
    assert "max-age=31536000" in client.get(js_src).headers["Cache-Control"]


PUBLIC_ENDPOINTS = {"static", "assets_css", "healthz", "robots"}


def test_search_engines_list_the_catalog_and_never_a_villagers_pages(app, client):
    robots = client.get("/robots.txt")
    assert robots.status_code == 200 and robots.mimetype == "text/plain"
    disallowed = [line.split(":", 1)[1].strip() for line in robots.get_data(as_text=True).splitlines()
                  if line.startswith("Disallow:")]
    assert "/" not in disallowed and "/thu-tuc/" not in disallowed  # the catalog stays findable
    rules = [re.compile(re.escape(path).replace(r"\*", ".*")) for path in disallowed]
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("catalog.") or rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        path = rule.rule.replace("<", "x").replace(">", "x")
        assert any(r.match(path) for r in rules), f"{rule.rule} ({rule.endpoint}) is open to crawlers"
