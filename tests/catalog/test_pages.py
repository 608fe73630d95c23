"""Every catalog page renders for every procedure, reads well, prints and shares."""
import re
import xml.etree.ElementTree as ET

import pytest

from commune.catalog.models import BlankForm
from commune.catalog.queries import procedure_by_slug
from commune.extensions import db
from commune.files.storage import get_storage
from tests.factories import make_procedure


def html(response):
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_every_page_renders_for_every_procedure_in_the_default_catalog(client, catalog):
    for item in catalog["procedures"]:
        slug = item["slug"]
        page = html(client.get(f"/thu-tuc/{slug}"))
        assert item["name"].strip() in page
        assert item["name"].strip() in html(client.get(f"/thu-tuc/{slug}/huong-dan-in"))
        assert client.get(f"/thu-tuc/{slug}/huong-dan-in?kho=a5").status_code == 200
        assert client.get(f"/thu-tuc/{slug}/qr.svg").status_code == 200
        assert client.get(f"/api/procedures/{slug}").get_json()["slug"] == slug
    for field in catalog["fields"]:
        assert field["name"] in html(client.get(f"/linh-vuc/{field['code']}"))


def test_home_has_search_first_then_fields_then_most_used(client, catalog):
    page = html(client.get("/"))
    assert page.index('role="search"') < page.index("Thủ tục hay làm") < page.index("Lĩnh vực")
    assert 'href="/linh-vuc/ho-tich">Hộ tịch</a> <span class="count">17</span>' in page
    popular = page[page.index("Thủ tục hay làm"):page.index("Lĩnh vực")]
    assert popular.index("Đăng ký khai sinh") < popular.index("Chứng thực bản sao") < popular.index("Đăng ký kết hôn")


def test_field_page_lists_its_procedures_only(client, catalog):
    page = html(client.get("/linh-vuc/chung-thuc"))
    assert "Chứng thực di chúc" in page
    assert "Đăng ký khai sinh" not in page
    assert client.get("/linh-vuc/khong-co").status_code == 404


def test_procedure_page_tells_what_to_bring_time_fee_and_where(client, catalog):
    page = html(client.get("/thu-tuc/chung-thuc-ban-sao-tu-ban-chinh"))
    assert "2.000 đ/trang" in page
    assert "Trong ngày" in page
    assert "Cần mang theo" in page and "xuất trình bản chính" in page
    assert "Mã thủ tục 2.000815" in page
    assert "Trụ sở UBND xã, thôn Trung tâm" in page and "7:30 – 11:30" in page
    assert "Nộp trực tiếp hoặc qua bưu điện" in page  # information only
    assert "Căn cứ pháp lý" in page and "Nghị định 23/2015/NĐ-CP" in page


@pytest.mark.parametrize("slug, fee, time", [
    ("dang-ky-khai-sinh", "Miễn phí", "Trong ngày"),
    ("cap-giay-xac-nhan-tinh-trang-hon-nhan", "HĐND", "3 ngày làm việc"),
    ("xac-nhan-thong-tin-ho-tich", "8.000 đ/văn bản", "Chưa công bố thời hạn"),
    ("chung-thuc-chu-ky", "10.000 đ/trường hợp", "Trong ngày"),
    ("dang-ky-nuoi-con-nuoi-trong-nuoc", "400.000 đ/trường hợp", "30 ngày làm việc"),
])
def test_fee_and_time_are_in_plain_words(client, catalog, slug, fee, time):
    facts = html(client.get(f"/thu-tuc/{slug}")).split('<dl class="facts">')[1].split("</dl>")[0]
    assert fee in facts and time in facts


def test_fee_set_by_the_province_shows_the_note(client, catalog):
    procedure = procedure_by_slug("cap-giay-xac-nhan-tinh-trang-hon-nhan")
    assert procedure.fee_vnd is None
    assert procedure.fee_note[:40] in html(client.get("/thu-tuc/cap-giay-xac-nhan-tinh-trang-hon-nhan"))


def test_online_button_only_where_online_submission_is_offered(app, client, catalog):
    partial = html(client.get("/thu-tuc/dang-ky-khai-sinh"))
    info_only = html(client.get("/thu-tuc/chung-thuc-ban-sao-tu-ban-chinh"))
    assert "Trực tuyến một phần" in partial
    assert "Nộp hồ sơ trực tuyến" not in info_only
    assert "Nộp hồ sơ trực tuyến</a>" in partial
    assert "/dang-ky-khai-sinh" in re.search(r'href="([^"]+)">Nộp hồ sơ trực tuyến', partial).group(1)


def test_postal_return_is_stated(client, catalog):
    assert "qua bưu điện (bưu chính công ích)" in html(client.get("/thu-tuc/dang-ky-khai-sinh"))


def test_a_procedure_with_almost_nothing_filled_still_renders(client, app):
    bare = make_procedure(name="Thủ tục mới", processing_days=None, documents=(), online_level=None,
                          postal=False)
    bare.legal_basis = []
    db.session.commit()
    page = html(client.get(f"/thu-tuc/{bare.slug}"))
    assert "Chưa công bố thời hạn" in page and "Chưa công bố thành phần hồ sơ" in page
    assert client.get(f"/thu-tuc/{bare.slug}/huong-dan-in").status_code == 200


def test_inactive_procedure_page_says_it_is_not_received(client, catalog):
    procedure_by_slug("dang-ky-khai-tu").active = False
    db.session.commit()
    page = html(client.get("/thu-tuc/dang-ky-khai-tu"))
    assert "hiện không tiếp nhận hồ sơ" in page and "Nộp hồ sơ trực tuyến</a>" not in page


def test_unknown_procedure_is_a_404(client, catalog):
    assert client.get("/thu-tuc/khong-co").status_code == 404
    assert client.get("/thu-tuc/khong-co/qr.svg").status_code == 404
    assert client.get("/api/procedures/khong-co").status_code == 404


def test_links_shared_in_chat_apps_show_title_and_description(client, catalog):
    page = html(client.get("/thu-tuc/dang-ky-ket-hon"))
    assert '<meta property="og:title" content="Đăng ký kết hôn">' in page
    assert '<meta property="og:url" content="http://localhost/thu-tuc/dang-ky-ket-hon">' in page
    description = re.search(r'<meta property="og:description" content="([^"]+)"', page).group(1)
    assert "Thời hạn" in description and "Lệ phí" in description
    assert 'property="og:title"' in html(client.get("/linh-vuc/ho-tich"))
    assert 'property="og:title"' in html(client.get("/"))


def test_public_url_setting_is_used_in_shared_links(app, client, catalog):
    app.config["COMMUNE_PUBLIC_URL"] = "https://xamau.gov.vn/"
    page = html(client.get("/thu-tuc/dang-ky-ket-hon"))
    assert 'content="https://xamau.gov.vn/thu-tuc/dang-ky-ket-hon"' in page


def test_printable_guide_has_no_navigation_and_a_qr_code(client, catalog):
    page = html(client.get("/thu-tuc/dang-ky-khai-sinh/huong-dan-in"))
    assert "<nav" not in page and "site-header" not in page and "site-footer" not in page
    assert '<svg role="img"' in page and 'class="qr' in page
    for step in ("Chuẩn bị giấy tờ", "Nộp hồ sơ", "Nộp lệ phí", "Nhận kết quả"):
        assert step in page
    assert "Giấy chứng sinh" in page
    assert "0200 3 800 000" in page
    assert 'class="guide guide-a4"' in page
    assert 'class="guide guide-a5"' in html(client.get("/thu-tuc/dang-ky-khai-sinh/huong-dan-in?kho=a5"))


def test_print_stylesheet_sets_the_paper_size(client):
    page = html(client.get("/"))
    css = client.get(re.search(r'<link rel="stylesheet" href="([^"]+)"', page).group(1)).get_data(as_text=True)
    assert "@page{size:A4" in css and "size:A5" in css


def test_qr_code_is_valid_svg_pointing_to_the_page(client, catalog):
    response = client.get("/thu-tuc/dang-ky-khai-sinh/qr.svg")
    assert response.mimetype == "image/svg+xml"
    root = ET.fromstring(response.data)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.find("{http://www.w3.org/2000/svg}path") is not None


def test_qr_code_encodes_the_procedure_url(app, catalog):
    import segno

    from commune.catalog.printing import qr_for

    with app.test_request_context():
        code = qr_for(procedure_by_slug("dang-ky-khai-sinh"))
    expected = segno.make("http://localhost/thu-tuc/dang-ky-khai-sinh", error="m", micro=False)
    assert code.matrix == expected.matrix
    assert code.designator.endswith("M") and code.version <= 6


def test_poster_shows_qr_codes_of_the_most_used_procedures(client, catalog):
    page = html(client.get("/ap-phich"))
    assert page.count('<svg role="img"') == 8
    assert "Đăng ký khai sinh" in page and "Chứng thực chữ ký" in page


def test_blank_form_downloads_with_its_type_and_a_safe_name(client, catalog):
    procedure = procedure_by_slug("dang-ky-khai-sinh")
    key = get_storage().save(b"%PDF-1.4 to khai")
    form = BlankForm(procedure=procedure, title="Tờ khai đăng ký khai sinh", filename='../to "khai"\r\n.pdf',
                     mime="application/pdf", storage_key=key, size_bytes=16)
    db.session.add(form)
    db.session.commit()
    page = html(client.get("/thu-tuc/dang-ky-khai-sinh"))
    assert "Tờ khai đăng ký khai sinh</a>" in page
    response = client.get(f"/thu-tuc/dang-ky-khai-sinh/mau/{form.id}")
    assert response.status_code == 200
    assert response.data == b"%PDF-1.4 to khai"
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert ".." not in disposition and "\r" not in disposition and "/" not in disposition.split("filename")[1]
    # Another procedure's path does not reach this form.
    assert client.get(f"/thu-tuc/dang-ky-ket-hon/mau/{form.id}").status_code == 404


def test_blank_form_of_a_dangerous_type_is_only_a_download(client, catalog):
    procedure = procedure_by_slug("dang-ky-ket-hon")
    key = get_storage().save(b"<html><script>alert(1)</script></html>")
    form = BlankForm(procedure=procedure, title="Mẫu", filename="mau.html", mime="text/html",
                     storage_key=key, size_bytes=38)
    db.session.add(form)
    db.session.commit()
    response = client.get(f"/thu-tuc/dang-ky-ket-hon/mau/{form.id}")
    assert response.mimetype == "application/octet-stream"
    assert response.headers["Content-Disposition"].startswith("attachment;")


def test_missing_blank_form_file_is_a_404_not_an_error(client, catalog):
    procedure = procedure_by_slug("dang-ky-ket-hon")
    form = BlankForm(procedure=procedure, title="Mẫu", filename="mau.pdf", mime="application/pdf",
                     storage_key="0" * 64, size_bytes=1)
    db.session.add(form)
    db.session.commit()
    assert client.get(f"/thu-tuc/dang-ky-ket-hon/mau/{form.id}").status_code == 404


def test_catalog_pages_have_no_inline_script_or_style(client, catalog):
    for url in ("/", "/tim-kiem?q=khai+sinh", "/tim-kiem?q=xyz", "/linh-vuc/ho-tich",
                "/thu-tuc/dang-ky-khai-sinh", "/thu-tuc/dang-ky-khai-sinh/huong-dan-in", "/ap-phich"):
        page = html(client.get(url))
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), url
        assert " style=" not in page and "<style" not in page, url
