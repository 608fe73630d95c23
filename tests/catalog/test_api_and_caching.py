"""Other systems read the catalog as JSON; phones and pollers get a 304 when nothing changed."""
import gzip

import pytest

from commune.catalog.queries import procedure_by_slug
from commune.core.settings import set_setting
from commune.extensions import db


def test_api_lists_the_catalog(client, catalog):
    response = client.get("/api/procedures")
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = response.get_json()
    assert data["count"] == len(catalog["procedures"]) == len(data["procedures"])
    assert set(data) == {"language", "updated_at", "count", "fields", "procedures"}
    assert {"code": "ho-tich", "name": "Hộ tịch", "name_en": "Civil status", "count": 17} in data["fields"]
    birth = next(p for p in data["procedures"] if p["slug"] == "dang-ky-khai-sinh")
    assert birth == {
        "slug": "dang-ky-khai-sinh", "code": "1.001193", "name": "Đăng ký khai sinh",
        "name_en": "Birth registration", "field": "ho-tich", "processing_days": 0, "fee_vnd": 0,
        "fee_unit": "", "online_level": "một phần", "postal_return_allowed": True, "popularity": 1,
        "version": 1, "updated_at": birth["updated_at"],
        "url": "http://localhost/thu-tuc/dang-ky-khai-sinh",
        "api_url": "http://localhost/api/procedures/dang-ky-khai-sinh",
    }
    assert birth["updated_at"].endswith("Z")


def test_api_gives_one_procedure_in_full(client, catalog):
    data = client.get("/api/procedures/chung-thuc-ban-sao-tu-ban-chinh").get_json()
    assert data["fee_vnd"] == 2000 and data["fee_unit"] == "trang"
    assert data["field"] == {"code": "chung-thuc", "name": "Chứng thực", "name_en": "Certification"}
    assert data["documents"][0].keys() == {"name", "original_or_copy", "required", "count", "hint", "online_form"}
    assert data["legal_basis"] and data["keywords"] and data["active"] is True
    assert data["qr_url"].endswith("/thu-tuc/chung-thuc-ban-sao-tu-ban-chinh/qr.svg")
    assert data["guide_url"].endswith("/huong-dan-in") and data["blank_forms"] == []


@pytest.mark.parametrize("url", ["/api/procedures", "/api/procedures/dang-ky-ket-hon"])
def test_api_poller_transfers_nothing_when_nothing_changed(client, catalog, url):
    first = client.get(url)
    etag = first.headers["ETag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag


def test_api_etag_changes_when_a_procedure_changes(client, catalog):
    etag = client.get("/api/procedures").headers["ETag"]
    procedure_by_slug("dang-ky-ket-hon").processing_days = 2
    db.session.commit()
    response = client.get("/api/procedures", headers={"If-None-Match": etag})
    assert response.status_code == 200 and response.headers["ETag"] != etag


def test_api_etag_differs_by_language(client, catalog):
    vi = client.get("/api/procedures").headers["ETag"]
    client.get("/ngon-ngu/en?next=/")
    en = client.get("/api/procedures")
    assert en.headers["ETag"] != vi and en.get_json()["language"] == "en"


@pytest.mark.parametrize("url", ["/", "/tim-kiem?q=khai+sinh", "/linh-vuc/ho-tich",
                                 "/thu-tuc/dang-ky-khai-sinh", "/thu-tuc/dang-ky-khai-sinh/huong-dan-in",
                                 "/thu-tuc/dang-ky-khai-sinh/qr.svg", "/ap-phich"])
def test_catalog_pages_answer_304_when_the_phone_has_them(client, catalog, url):
    first = client.get(url)
    assert first.headers["ETag"] and first.headers["Last-Modified"]
    assert "no-cache" in first.headers["Cache-Control"]
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    modified = client.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert modified.status_code == 304


def test_compressed_page_etag_is_recognised_too(client, catalog):
    first = client.get("/thu-tuc/dang-ky-khai-sinh", headers={"Accept-Encoding": "gzip"})
    assert first.headers["Content-Encoding"] == "gzip"
    assert "Đăng ký khai sinh" in gzip.decompress(first.data).decode()
    etag = first.headers["ETag"]
    assert etag.endswith(':gzip"')
    again = client.get("/thu-tuc/dang-ky-khai-sinh", headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert again.status_code == 304


def test_page_changes_after_a_catalog_or_settings_edit(client, catalog):
    etag = client.get("/thu-tuc/dang-ky-khai-sinh").headers["ETag"]
    set_setting("office_phone", "0209 999 999")
    db.session.commit()
    response = client.get("/thu-tuc/dang-ky-khai-sinh", headers={"If-None-Match": etag})
    assert response.status_code == 200 and "0209 999 999" in response.get_data(as_text=True)
    etag = response.headers["ETag"]
    procedure_by_slug("dang-ky-khai-sinh").fee_vnd = 5000
    db.session.commit()
    response = client.get("/thu-tuc/dang-ky-khai-sinh", headers={"If-None-Match": etag})
    assert response.status_code == 200 and "5.000 đ" in response.get_data(as_text=True)


def test_live_results_and_full_page_have_different_etags(client, catalog):
    full = client.get("/tim-kiem?q=khai+sinh")
    fragment = client.get("/tim-kiem?q=khai+sinh", headers={"HX-Request": "true"})
    assert full.headers["ETag"] != fragment.headers["ETag"]
    again = client.get("/tim-kiem?q=khai+sinh", headers={"HX-Request": "true", "If-None-Match": full.headers["ETag"]})
    assert again.status_code == 200


def test_staff_and_villagers_do_not_share_a_cached_page(client, catalog, login_as):
    etag = client.get("/").headers["ETag"]
    login_as("clerk")
    assert client.get("/", headers={"If-None-Match": etag}).status_code == 200
