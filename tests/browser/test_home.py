"""The home page on a phone: fits 360 px, no CSP errors, accessible, works without JavaScript."""
from tests.browser.conftest import axe_violations, horizontal_overflow


def test_home_fits_a_360px_phone_without_errors(page, live_server):
    page.goto(live_server("/"))
    assert page.locator("h1").first.is_visible()
    assert "Hộ tịch" in page.content()
    assert horizontal_overflow(page) <= 0
    assert page.console_errors == [], "console errors (CSP violations show up here)"


def test_home_has_no_serious_accessibility_problems(page, live_server):
    page.goto(live_server("/"))
    assert axe_violations(page, live_server) == []


def test_home_works_without_javascript(nojs_page, live_server):
    nojs_page.goto(live_server("/"))
    assert nojs_page.locator("input[type=search]").is_visible()
    assert "Chứng thực" in nojs_page.content()


def test_staff_login_with_csrf_in_a_real_browser(page, live_server):
    from commune.extensions import db
    from tests.factories import make_user

    with live_server.app.app_context():
        make_user("clerk", username="thu")
        db.session.commit()
    page.goto(live_server("/dang-nhap"))
    page.fill("#username", "thu")
    page.fill("#password", "sai-mat-khau")
    page.click("button[type=submit]")
    assert "không đúng" in page.content()
    page.console_errors.clear()  # the refused login answers 400 on purpose
    page.fill("#password", "mat-khau-123")
    page.click("button[type=submit]")
    assert "/dang-nhap" not in page.url
    assert page.console_errors == []
