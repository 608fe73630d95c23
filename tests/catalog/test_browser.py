"""In a real phone-sized browser: live search as the villager types, no-JS search, one-page guide."""
import re

import pytest

from tests.browser.conftest import axe_violations, horizontal_overflow

pytestmark = pytest.mark.browser


def test_results_appear_while_typing_and_the_url_can_be_shared(page, live_server):
    page.goto(live_server("/"))
    page.locator("#q").press_sequentially("ket hon", delay=40)
    page.locator("#results a", has_text="Đăng ký kết hôn").first.wait_for(timeout=5000)
    assert page.locator("#results li").first.inner_text().startswith("Đăng ký kết hôn")
    page.wait_for_function("location.pathname === '/tim-kiem'", timeout=5000)
    assert re.search(r"/tim-kiem\?q=ket(\+|%20)hon$", page.url), page.url
    page.reload()
    assert page.locator("#results a", has_text="Đăng ký kết hôn").count() >= 1
    assert page.console_errors == []


def test_search_works_without_javascript(nojs_page, live_server):
    nojs_page.goto(live_server("/"))
    nojs_page.fill("#q", "xac nhan doc than")
    nojs_page.click("form[role=search] button[type=submit]")
    assert "/tim-kiem?q=xac+nhan+doc+than" in nojs_page.url
    assert "Cấp Giấy xác nhận tình trạng hôn nhân" in nojs_page.content()


def test_procedure_page_fits_a_phone_and_is_accessible(page, live_server):
    page.goto(live_server("/thu-tuc/dang-ky-khai-sinh"))
    assert horizontal_overflow(page) <= 0
    assert axe_violations(page, live_server) == []
    assert page.console_errors == []


@pytest.mark.parametrize("query", ["", "?kho=a5"])
def test_printed_guide_is_one_page_without_navigation(page, live_server, query):
    # Birth registration has the longest list of papers in the catalog.
    page.goto(live_server("/thu-tuc/dang-ky-khai-sinh/huong-dan-in" + query))
    page.emulate_media(media="print")
    assert not page.locator(".guide-tools").is_visible()
    pdf = page.pdf(prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
