"""Search from the box: live results with htmx, the same results from a plain form, a shareable URL."""
from commune.core.settings import set_setting
from commune.extensions import db

HTMX = {"HX-Request": "true"}


def test_search_box_asks_for_live_results_as_the_villager_types(client, catalog):
    page = client.get("/").get_data(as_text=True)
    assert 'hx-get="/tim-kiem"' in page
    assert 'hx-trigger="input changed delay:300ms, search"' in page
    assert 'hx-target="#results"' in page and 'id="results"' in page
    assert 'method="get" action="/tim-kiem"' in page  # works without JavaScript


def test_plain_form_without_javascript_gives_a_full_page_with_results(client, catalog):
    response = client.get("/tim-kiem?q=khai+sinh")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" in page and 'value="khai sinh"' in page
    assert 'href="/thu-tuc/dang-ky-khai-sinh"' in page
    assert "HX-Request" in response.headers["Vary"]


def test_htmx_gets_the_same_results_as_a_fragment(client, catalog):
    full = client.get("/tim-kiem?q=ket+hon").get_data(as_text=True)
    fragment = client.get("/tim-kiem?q=ket+hon", headers=HTMX).get_data(as_text=True)
    assert "<html" not in fragment and "<ul" in fragment
    assert fragment.strip() in full


def test_boosted_or_history_requests_get_the_full_page(client, catalog):
    page = client.get("/tim-kiem?q=ket+hon", headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert "<html" in page.get_data(as_text=True)


def test_search_url_can_be_shared(client, catalog):
    other = client.application.test_client()
    page = other.get("/tim-kiem?q=chung+thuc").get_data(as_text=True)
    assert "Chứng thực bản sao từ bản chính" in page


def test_empty_search_goes_home_and_empty_live_search_clears_results(client, catalog):
    response = client.get("/tim-kiem?q=+")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/tim-kiem?q=", headers=HTMX).get_data(as_text=True).strip() == ""


def test_nothing_found_suggests_fields_and_the_desk_phone(client, catalog):
    set_setting("office_phone", "0209 3 123 456")
    db.session.commit()
    page = client.get("/tim-kiem?q=xyzzy").get_data(as_text=True)
    assert "Không tìm thấy thủ tục nào cho “xyzzy”" in page
    assert 'href="/linh-vuc/ho-tich">Hộ tịch</a>' in page
    assert 'href="tel:02093123456"' in page and "0209 3 123 456" in page
    fragment = client.get("/tim-kiem?q=xyzzy", headers=HTMX).get_data(as_text=True)
    assert "Không tìm thấy" in fragment and "0209 3 123 456" in fragment


def test_results_show_time_fee_and_field(client, catalog):
    page = client.get("/tim-kiem?q=chung+thuc+ban+sao").get_data(as_text=True)
    assert "Chứng thực · Trong ngày · 2.000 đ/trang" in page


def test_a_very_long_or_odd_query_is_handled_calmly(client, catalog):
    assert client.get("/tim-kiem?q=" + "a" * 5000).status_code == 200
    assert client.get("/tim-kiem?q=%3Cscript%3E").status_code == 200
    assert "<script>" not in client.get("/tim-kiem?q=%3Cscript%3E").get_data(as_text=True)


def test_a_broad_search_shows_the_best_matches_and_says_there_are_more(client, catalog):
    page = client.get("/tim-kiem?q=chung").get_data(as_text=True)
    assert "hiện 30 thủ tục khớp nhất; gõ thêm từ để thu hẹp" in page
    assert page.count('<li><a href="/thu-tuc/') == 30
