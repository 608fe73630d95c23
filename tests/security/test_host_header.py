"""Absolute URLs come only from configuration: a forged Host gets 400, never a page or a QR code to it."""
import re
from pathlib import Path

import pytest

from commune.dossiers.codes import link_token
from commune.extensions import db
from commune.web.proxy import serving_problem
from tests.conftest import make_app
from tests.factories import make_dossier, make_procedure

PUBLIC = "https://motcua.xa-mau.gov.vn"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def public_app(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMUNE_INSTANCE_PATH", str(tmp_path / "instance"))
    app = make_app(tmp_path, COMMUNE_PUBLIC_URL=PUBLIC)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def dev_app(tmp_path, monkeypatch):
    """A developer's site on loopback: no COMMUNE_PUBLIC_URL."""
    monkeypatch.setenv("COMMUNE_INSTANCE_PATH", str(tmp_path / "instance"))
    app = make_app(tmp_path, COMMUNE_PUBLIC_URL="", COMMUNE_PORT=5077)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("host", ["evil.example", "motcua.xa-mau.gov.vn.evil.example", "10.0.0.9",
                                  "evil.example:443", "bad host", ""])
def test_a_host_the_site_does_not_have_gets_400_and_no_page(public_app, host):
    procedure = make_procedure(name="Đăng ký khai sinh")
    db.session.commit()
    client = public_app.test_client()
    for path in ("/", f"/thu-tuc/{procedure.slug}", "/tra-cuu", "/dang-nhap", "/healthz"):
        response = client.get(path, headers={"Host": host})
        html = response.get_data(as_text=True)
        assert response.status_code == 400, path
        assert "Yêu cầu không hợp lệ" in html and "Đăng ký khai sinh" not in html
        assert "evil" not in html
    assert client.post("/dang-nhap", data={"username": "a", "password": "b"},
                       headers={"Host": host}).status_code == 400


@pytest.mark.parametrize("host", ["motcua.xa-mau.gov.vn", "MOTCUA.xa-mau.gov.vn:443", "localhost",
                                  "127.0.0.1:5000"])
def test_the_sites_own_names_and_loopback_are_served(public_app, host):
    assert public_app.test_client().get("/", headers={"Host": host}).status_code == 200


def test_links_and_qr_codes_carry_the_configured_address_whatever_the_request_says(public_app):
    procedure = make_procedure(name="Đăng ký khai sinh")
    db.session.commit()
    client = public_app.test_client()
    html = client.get(f"/thu-tuc/{procedure.slug}",
                      headers={"Host": "localhost", "X-Forwarded-Host": "evil.example",
                               "Forwarded": "host=evil.example", "X-Forwarded-Proto": "http"}).get_data(as_text=True)
    assert f'<meta property="og:url" content="{PUBLIC}/thu-tuc/{procedure.slug}">' in html
    assert "evil" not in html
    api = client.get(f"/api/procedures/{procedure.slug}", headers={"X-Forwarded-Host": "evil.example"}).get_json()
    assert api["url"] == f"{PUBLIC}/thu-tuc/{procedure.slug}" and api["qr_url"].startswith(PUBLIC + "/")


def test_every_absolute_url_builder_ignores_the_host_of_the_request(public_app):
    """The receipt's QR (with the look-up key), printed slips, notices, postal QR codes, resume links."""
    from commune.catalog.links import public_url
    from commune.inbox.printables import tracking_url as slip_url
    from commune.notices.texts import tracking_link
    from commune.postal.views import external_url
    from commune.tracking.receipt import tracking_url

    dossier = make_dossier(make_procedure())
    db.session.commit()
    forged = {"Host": "localhost", "X-Forwarded-Host": "evil.example"}
    with public_app.test_request_context("/", base_url="http://evil.example", headers=forged):
        built = [tracking_url(dossier, with_key=True), slip_url(dossier), tracking_link(dossier),
                 external_url("catalog.home"), public_url("catalog.home")]
    for url in built:
        assert url.startswith(PUBLIC + "/"), url
    assert link_token(dossier.lookup_key_hash) in built[0]  # the QR link's token, made from the stored hash


def test_on_loopback_without_a_public_address_links_point_at_this_machine(dev_app):
    procedure = make_procedure(name="Đăng ký khai sinh")
    db.session.commit()
    client = dev_app.test_client()
    html = client.get(f"/thu-tuc/{procedure.slug}", headers={"Host": "localhost:8080"}).get_data(as_text=True)
    assert f'content="http://127.0.0.1:5077/thu-tuc/{procedure.slug}"' in html
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/", headers={"Host": "192.168.1.10:5077"}).status_code == 400


def test_serve_refuses_a_public_address_without_commune_public_url(dev_app):
    dev_app.config["COMMUNE_HOST"] = "0.0.0.0"
    result = dev_app.test_cli_runner().invoke(args=["serve"])
    assert result.exit_code != 0
    assert "COMMUNE_PUBLIC_URL is not set" in result.output and "COMMUNE_HOST=0.0.0.0" in result.output


@pytest.mark.parametrize(("host", "public_url", "refused"), [
    ("127.0.0.1", "", False), ("localhost", "", False), ("::1", "", False), ("127.0.0.2", "", False),
    ("0.0.0.0", "", True), ("192.168.1.10", "", True), ("::", "", True),
    ("0.0.0.0", "http://192.168.1.10:5000", False), ("0.0.0.0", "motcua.xa.gov.vn", True),
])
def test_which_addresses_serve_accepts(host, public_url, refused):
    assert bool(serving_problem(host, public_url)) is refused


def test_no_code_builds_a_url_from_the_request_host():
    """A new link builder must go through commune/core/public_urls.py (the Host header is the attacker's)."""
    pattern = re.compile(r"_external\s*=\s*True|request\.(host_url|url_root|host\b|base_url|url\b)")
    offenders = [f"{path.relative_to(ROOT)}:{number}"
                 for path in sorted((ROOT / "commune").rglob("*.py")) + sorted((ROOT / "templates").rglob("*.html"))
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
                 if pattern.search(line) and "noqa: host" not in line]
    assert offenders == []
