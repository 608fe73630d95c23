"""The inbox in a real browser: htmx tabs and search with the URL and back button, CSRF-protected
actions, the photo viewer's zoom, and no CSP errors."""
import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from commune.dossiers.attachments import attach_file
from commune.dossiers.search import search_text
from commune.extensions import db
from tests.browser.conftest import axe_violations, browser, live_server  # noqa: F401  (fixtures)
from tests.factories import make_dossier, make_procedure, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def desk(browser):  # noqa: F811
    """A desktop-sized page: the clerk works at a desk."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    yield page
    context.close()


def seed(live_server):  # noqa: F811
    with live_server.app.app_context():
        make_user("clerk", username="motcua")
        procedure = make_procedure(name="Đăng ký khai sinh thử")
        waiting = make_dossier(procedure, "submitted", applicant_name="Lò Văn Chờ")
        running = make_dossier(procedure, "processing", applicant_name="Vì Thị Đang")
        for d in (waiting, running):
            d.search_text = search_text(d)
        buffer = io.BytesIO()
        Image.new("RGB", (600, 800), (220, 210, 190)).save(buffer, "JPEG")
        photo = attach_file(running, buffer.getvalue(), "trang.jpg", document_index=0)
        db.session.commit()
        return waiting.id, running.id, photo.id


def login(page, live_server):  # noqa: F811
    page.goto(live_server("/dang-nhap"))
    page.fill("#username", "motcua")
    page.fill("#password", "mat-khau-123")
    page.click("button[type=submit]")


def test_tabs_and_search_update_the_list_and_the_address(desk, live_server):  # noqa: F811
    seed(live_server)
    login(desk, live_server)
    desk.goto(live_server("/hop-thu"))
    desk.click(".inbox-tabs a:has-text('Đang xử lý')")
    desk.wait_for_url("**/hop-thu?tab=processing")
    expect(desk.locator("#inbox-list .inbox-tabs a[aria-current]")).to_contain_text("Đang xử lý")  # swapped in
    assert desk.locator(".inbox-table").inner_text().count("Vì Thị Đang") == 1
    assert "Lò Văn Chờ" not in desk.locator(".inbox-table").inner_text()
    desk.fill("#q", "lo van cho")  # typing searches by itself after a short pause
    desk.wait_for_url("**q=lo*")
    expect(desk.locator("#inbox-list .inbox-tabs")).to_contain_text("Đang xử lý 0")  # counts follow the search
    desk.click(".inbox-tabs a:has-text('Tất cả')")
    desk.wait_for_url("**tab=all**")
    assert "q=lo" in desk.url
    expect(desk.locator("#inbox-list")).to_contain_text("Lò Văn Chờ")
    desk.go_back()
    desk.wait_for_url("**q=lo*tab=processing*")  # one step at a time: htmx restores each from history
    expect(desk.locator("#inbox-list .inbox-tabs")).to_contain_text("Đang xử lý 0")
    desk.go_back()
    desk.wait_for_url("**/hop-thu?tab=processing")
    expect(desk.locator("#inbox-list")).to_contain_text("Vì Thị Đang")
    assert desk.console_errors == []


def test_clerk_receives_a_dossier_and_the_receipt_opens(desk, live_server):  # noqa: F811
    waiting, _, _ = seed(live_server)
    login(desk, live_server)
    desk.goto(live_server(f"/hop-thu/ho-so/{waiting}"))
    desk.click("summary:has-text('Tiếp nhận')")
    desk.evaluate("window.print = () => { window.printed = true; }")
    desk.click("#action-receive button[type=submit]")
    desk.wait_for_url("**/in/tiep-nhan**")
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in desk.content()
    assert desk.locator(".sheet-qr svg").count() == 1
    assert desk.console_errors == []


def test_viewer_zooms_and_rotates_in_place(desk, live_server):  # noqa: F811
    _, running, photo = seed(live_server)
    login(desk, live_server)
    desk.goto(live_server(f"/hop-thu/ho-so/{running}/anh/{photo}"))
    desk.click("[data-zoom='1']")
    desk.click("[data-rotate='90']")
    assert desk.get_attribute("#viewer-image", "class") == "viewer-img zoom-2 rot-90"
    assert f"/anh/{photo}" in desk.url and "z=" not in desk.url  # no reload
    assert desk.console_errors == []


def test_the_keyboard_reaches_and_scrolls_a_zoomed_page(desk, live_server):  # noqa: F811
    _, running, photo = seed(live_server)
    login(desk, live_server)
    desk.goto(live_server(f"/hop-thu/ho-so/{running}/anh/{photo}?z=4"))
    desk.focus("#viewer-frame")
    expect(desk.locator("#viewer-frame")).to_be_focused()
    desk.keyboard.press("ArrowRight")  # scrolls the wide page instead of leaving it
    for _ in range(50):  # (wait_for_function evaluates a string: the strict CSP refuses it)
        if desk.evaluate("document.getElementById('viewer-frame').scrollLeft") > 0:
            break
        desk.wait_for_timeout(100)
    assert desk.evaluate("document.getElementById('viewer-frame').scrollLeft") > 0
    assert f"/anh/{photo}" in desk.url
    desk.keyboard.press("-")
    assert desk.get_attribute("#viewer-image", "class") == "viewer-img zoom-3 rot-0"
    assert not [v for v in axe_violations(desk, live_server) if v.startswith("scrollable-region-focusable")]
    assert desk.console_errors == []
