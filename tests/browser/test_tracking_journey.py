"""After submitting: the villager looks the dossier up on another phone and answers a supplement request."""
import pytest

from commune.dossiers.models import Dossier, SupplementRequest
from commune.dossiers.workflow import transition
from commune.extensions import db
from tests.browser.conftest import _new_page
from tests.browser.journeys import (
    REQUIRED_PARTS,
    birth_draft,
    camera_photo,
    fits_phone,
    stored_files,
    submit_in_browser,
)
from tests.factories import make_user
from tests.journeys import qr_link

pytestmark = pytest.mark.browser


@pytest.fixture
def other_phone(browser):
    """A second, fresh browser (no cookies, no session): the villager's other phone or a relative's."""
    context, page = _new_page(browser)
    yield page
    context.close()


def _look_up(page, live_server, code, phone):
    page.goto(live_server("/tra-cuu"))
    fits_phone(page, "lookup")
    page.fill("#code", code)
    page.fill("#secret", phone)
    page.click("button:has-text('Tra cứu')")


def test_submitted_dossier_is_found_on_another_phone_with_code_and_phone(page, other_phone, live_server,
                                                                          tmp_path):
    code = submit_in_browser(page, live_server, tmp_path)
    printed = page.locator(".big-code").inner_text()  # what the villager copies off the receipt, e.g. K7QM-X2PD-AF
    key = page.locator(".receipt-code p.code").nth(1).inner_text()  # the lookup key printed beside the QR

    # A wrong phone gives the same "not found" as an unknown code, and nothing else.
    _look_up(other_phone, live_server, printed, "0987 654 321")
    assert other_phone.locator(".lookup-error").is_visible()
    assert "Không tìm thấy hồ sơ" in other_phone.inner_text(".lookup-error")
    assert "Lò Thị Hoa" not in other_phone.content()
    # The page is answered with status 404, which Chromium logs; that one line is expected.
    assert [e for e in other_phone.console_errors if "404" not in e] == []
    other_phone.console_errors.clear()

    # Typed loosely (lower case, spaces) with the phone as it was given: the tracking page opens.
    _look_up(other_phone, live_server, printed.lower().replace("-", " "), "0912.345.678")
    assert other_phone.url.endswith(f"/ho-so/{code}")
    fits_phone(other_phone, "tracking page")
    assert other_phone.text_content("#now-title") == "Việc cần làm bây giờ"
    assert "Bạn chưa cần làm gì" in other_phone.inner_text("section.now")
    assert other_phone.locator(".timeline .step-title", has_text="Đã nộp hồ sơ").is_visible()
    # Code + phone (which a carrier may know too) show the status only, and say how to open the rest.
    assert "Lò Thị Hoa" not in other_phone.inner_text("main")
    assert other_phone.locator("#key-title").is_visible()
    other_phone.fill(".key-prompt input[name=secret]", key.lower())
    other_phone.click(".key-prompt button:has-text('Mở hồ sơ')")
    assert other_phone.url.endswith(f"/ho-so/{code}")
    assert "Lò Thị Hoa" in other_phone.inner_text("main")
    assert other_phone.locator("button:has-text('Thoát')").is_visible()  # for a shared phone
    other_phone.click("button:has-text('Thoát')")
    other_phone.goto(live_server(f"/ho-so/{code}/bien-nhan"))
    assert "/tra-cuu" in other_phone.url
    assert other_phone.console_errors == []


def _waiting_for_supplement(live_server):
    """A birth registration submitted with its three papers, received, then sent back for a clearer certificate."""
    from commune.dossiers.attachments import attach_file
    from commune.submissions.services import submit
    from tests.photos.images import jpeg

    with live_server.app.app_context():
        dossier, _token = birth_draft()
        for index in REQUIRED_PARTS:
            attach_file(dossier, jpeg(color=(0, 90 * (index % 3), 0)), f"giay-{index}.jpg", document_index=index)
        submit(dossier)
        clerk = make_user("clerk")
        transition(dossier, "received", clerk)
        transition(dossier, "needs_supplement", clerk, note="Ảnh giấy chứng sinh bị mờ.")
        db.session.add(SupplementRequest(dossier=dossier, round=1, message="Ảnh giấy chứng sinh bị mờ, chụp lại.",
                                         items=[{"document_index": 1, "label": "Giấy chứng sinh (chụp lại)"}],
                                         requested_by_id=clerk.id))
        dossier.supplement_count = 1
        db.session.commit()
        return dossier.id, dossier.code, qr_link(dossier)


def test_supplement_answer_adds_a_page_and_sends_the_dossier_back(page, live_server, tmp_path):
    dossier_id, code, link = _waiting_for_supplement(live_server)
    page.goto(live_server(link))  # the receipt's QR code
    assert page.url.endswith(f"/ho-so/{code}")
    assert "Hãy gửi bổ sung: Giấy chứng sinh (chụp lại)" in page.inner_text("section.now")
    assert "Ảnh giấy chứng sinh bị mờ" in page.inner_text("#bo-sung")
    fits_phone(page, "supplement request")

    page.set_input_files("#sup-slot-0-pick", camera_photo(tmp_path / "chung-sinh-ro.jpg"))
    page.locator("#sup-files-0 li.photo img").wait_for(timeout=20000)
    assert page.locator("#item-0 .upload-item").count() == 0
    page.fill("#reply", "Tôi chụp lại giấy chứng sinh rõ hơn.")
    page.click(".supplement-send button[type=submit]")
    page.locator(".timeline .step-title", has_text="Bạn đã gửi bổ sung").wait_for()
    assert page.locator("#bo-sung").count() == 0  # nothing more asked
    assert "Bạn chỉ cần chờ" in page.inner_text("section.now")

    with live_server.app.app_context():
        dossier = db.session.get(Dossier, dossier_id)
        assert dossier.status == "received" and dossier.code == code and dossier.has_new_supplement
    pages = stored_files(live_server, dossier_id)
    # The first certificate (round 0) is kept; the new, upright, shrunk page is round 1 of the same paper.
    assert sorted((f[0], f[1]) for f in pages) == [(0, 0), (1, 0), (1, 1), (4, 0)]
    new = next(f for f in pages if f[1] == 1)
    assert (new[2], new[3]) == (1067, 1600)  # upload.js sends at most 1600 px
    fits_phone(page, "after the answer")
    assert page.console_errors == []
