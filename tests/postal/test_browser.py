"""The carrier's screens in a real phone-sized browser: fit 360 px, no CSP errors, work without JavaScript."""
import pytest
from playwright.sync_api import expect

from commune.extensions import db
from commune.postal import services
from tests.browser.conftest import axe_violations, horizontal_overflow
from tests.factories import make_user, ready_by_post

pytestmark = pytest.mark.browser


def _carrier_with_items(live_server):
    with live_server.app.app_context():
        clerk = make_user("clerk", username="thu")
        carrier = make_user("postal", username="buuta")
        dossiers = [ready_by_post(name="Lò Thị Mai", village="Bản Na Hang",
                                  address="Nhà số 12, đường liên thôn rất dài để thử xuống dòng"),
                    ready_by_post(name="Hà Văn Sơn", village="Thôn Trung Tâm")]
        manifest = services.create_manifest(dossiers, clerk)
        db.session.commit()
        number = manifest.number
        services.confirm_manifest(manifest, carrier, {manifest.items[0].id: ""}, services.new_token())
        db.session.commit()
        return number, manifest.items[0].id


def _login(page, live_server, username):
    page.goto(live_server("/dang-nhap"))
    page.fill("#username", username)
    page.fill("#password", "mat-khau-123")
    page.click("button[type=submit]")


def test_carrier_delivers_on_a_360px_phone_without_javascript(nojs_page, live_server):
    _, item_id = _carrier_with_items(live_server)
    _login(nojs_page, live_server, "buuta")
    assert nojs_page.url.endswith("/buu-chinh")
    assert "Bản Na Hang" in nojs_page.content() and "Hà Văn Sơn" not in nojs_page.content()
    assert horizontal_overflow(nojs_page) <= 0
    nojs_page.click("text=Đi phát")
    expect(nojs_page.locator(".badge", has_text="Đang đi phát")).to_be_visible()
    nojs_page.click("text=Mở")
    expect(nojs_page.locator("text=Không phát được")).to_be_visible()
    assert horizontal_overflow(nojs_page) <= 0
    nojs_page.click("text=Đã phát")
    expect(nojs_page.locator("text=Ai nhận?")).to_be_visible()
    nojs_page.check("input[value=self]")
    nojs_page.check("input[value=yes]")
    assert horizontal_overflow(nojs_page) <= 0
    nojs_page.click("button[type=submit]")
    expect(nojs_page.locator(".flash")).to_contain_text("Đã ghi nhận")
    assert "Lò Thị Mai" not in nojs_page.content()


def test_carrier_pages_and_the_printed_manifest_have_no_csp_or_accessibility_errors(page, live_server):
    number, item_id = _carrier_with_items(live_server)
    _login(page, live_server, "buuta")
    for path in ("/buu-chinh", f"/buu-chinh/buu-gui/{item_id}", f"/buu-chinh/buu-gui/{item_id}/da-phat",
                 f"/buu-chinh/buu-gui/{item_id}/khong-phat-duoc", "/buu-chinh/nhan-bang-ke"):
        page.goto(live_server(path))
        assert horizontal_overflow(page) <= 0, path
        assert axe_violations(page, live_server) == [], path
    page.goto(live_server(f"/buu-chinh/bang-ke/{number}/in"))
    assert page.locator("svg.segno").count() == 3
    assert page.console_errors == []
