"""Every page a villager sees fits a 360 px phone, has no serious axe-core problem, no console error,
and shows its main content with JavaScript off.

Each test walks a group of pages in one live server and reports every problem at once.
"""
import pytest
import sqlalchemy as sa

from commune.extensions import db
from tests.browser.conftest import axe_violations, horizontal_overflow
from tests.browser.journeys import REQUIRED_PARTS, SLUG, draft_at_photos_step, qr_link_of

pytestmark = pytest.mark.browser


def _problems_with_js(page, live_server, url, name):
    page.console_errors.clear()
    page.goto(live_server(url))
    page.wait_for_load_state()
    found = []
    if (overflow := horizontal_overflow(page)) > 0:
        found.append(f"{overflow}px wider than the phone")
    if violations := axe_violations(page, live_server):
        found.append(f"axe: {violations}")
    if page.console_errors:
        found.append(f"console: {page.console_errors}")
    return {name: found} if found else {}


def _problems_without_js(page, live_server, url, name, text):
    page.goto(live_server(url))
    found = []
    if not page.locator("main h1").first.is_visible():
        found.append("no visible heading")
    if text not in page.text_content("main"):
        found.append(f"{text!r} not shown")
    if (overflow := horizontal_overflow(page)) > 0:
        found.append(f"{overflow}px wider than the phone")
    return {f"{name} (no JS)": found} if found else {}


def _check(page, nojs_page, live_server, pages):
    problems = {}
    for name, url, text in pages:
        problems.update(_problems_with_js(page, live_server, url, name))
        problems.update(_problems_without_js(nojs_page, live_server, url, name, text))
    assert problems == {}


def test_catalog_pages(page, nojs_page, live_server):
    page.goto(live_server("/"))
    field_url = page.locator(".field-list a").first.get_attribute("href")
    _check(page, nojs_page, live_server, [
        ("home", "/", "Hộ tịch"),
        ("search results", "/tim-kiem?q=khai+sinh", "Đăng ký khai sinh"),
        ("field page", field_url, "Đăng ký"),
        ("procedure page", f"/thu-tuc/{SLUG}", "Nộp hồ sơ trực tuyến"),
        ("printable guide", f"/thu-tuc/{SLUG}/huong-dan-in", "Đăng ký khai sinh"),
    ])


def _with_photos(live_server, token):
    """Attach a page to each required paper of the draft behind `token`."""
    from commune.dossiers.access import hash_token
    from commune.dossiers.attachments import attach_file
    from commune.dossiers.models import Dossier
    from tests.photos.images import jpeg

    with live_server.app.app_context():
        dossier = db.session.scalar(sa.select(Dossier).where(Dossier.draft_token_hash == hash_token(token)))
        for index in REQUIRED_PARTS:
            attach_file(dossier, jpeg(), f"giay-{index}.jpg", document_index=index)
        db.session.commit()


def test_submission_steps_receipt_lookup_and_tracking_pages(page, nojs_page, live_server):
    token = draft_at_photos_step(live_server)
    _with_photos(live_server, token)
    for browser_page in (page, nojs_page):  # both phones open the same draft through its continue link
        browser_page.goto(live_server(f"/tiep-tuc/{token}"))
    _check(page, nojs_page, live_server, [
        ("step 1 details", f"/thu-tuc/{SLUG}/nop-ho-so", "Thông tin người nộp hồ sơ"),
        ("step 2 questions", "/nop-ho-so/cau-hoi", "Họ, chữ đệm và tên của trẻ"),
        ("step 3 photos", "/nop-ho-so/anh-giay-to", "Giấy chứng sinh"),
        ("step 4 result", "/nop-ho-so/nhan-ket-qua", "Cách nhận kết quả"),
        ("step 5 check", "/nop-ho-so/kiem-tra", "Lò Văn Minh"),
    ])
    page.check("#declaration")
    page.click("button:has-text('Nộp hồ sơ')")
    page.wait_for_url("**/bien-nhan")
    code = page.url.rsplit("/", 2)[-2]
    # The draft's continue link stops at submission: the second phone opens the dossier with
    # the receipt's QR link (its token), as a villager's other phone would.
    nojs_page.goto(live_server(qr_link_of(live_server, code)))
    _check(page, nojs_page, live_server, [
        ("receipt", f"/ho-so/{code}/bien-nhan", "Mã tra cứu"),
        ("tracking page", f"/ho-so/{code}", "Việc cần làm bây giờ"),
        ("lookup", "/tra-cuu", "Tra cứu hồ sơ"),
    ])


def test_first_step_and_lookup_error_for_a_new_visitor(page, nojs_page, live_server):
    """A first visit (no draft yet) and a failed lookup also fit and read well."""
    problems = {}
    problems.update(_problems_with_js(page, live_server, f"/thu-tuc/{SLUG}/nop-ho-so", "new step 1"))
    problems.update(_problems_without_js(nojs_page, live_server, f"/thu-tuc/{SLUG}/nop-ho-so", "new step 1",
                                         "Không cần tài khoản"))
    page.click("text=Lưu và tiếp tục")  # nothing typed: every field says what is missing
    assert page.locator(".error-summary").is_visible()
    if violations := axe_violations(page, live_server):
        problems["step 1 with errors"] = violations
    if horizontal_overflow(page) > 0:
        problems["step 1 with errors (width)"] = "wider than the phone"
    page.goto(live_server("/tra-cuu"))
    page.fill("#code", "K7QM-X2PD-AF")
    page.fill("#secret", "0912 345 678")
    page.click("button:has-text('Tra cứu')")
    assert page.locator(".lookup-error").is_visible()
    if violations := axe_violations(page, live_server):
        problems["lookup not found"] = violations
    if horizontal_overflow(page) > 0:
        problems["lookup not found (width)"] = "wider than the phone"
    assert problems == {}
