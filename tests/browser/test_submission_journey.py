"""A villager submits a birth registration from a 360 px phone: with JavaScript, without it, on a bad line.

Photos are real JPEGs made with Pillow (a 3000×2000 camera shot with EXIF orientation 6 and GPS).
The helpers here are shared with the other villager browser tests.
"""
import io
import re

import pytest
from PIL import Image

from tests.browser.journeys import (
    GPS_IFD,
    REQUIRED_PARTS,
    SLUG,
    camera_photo,
    draft_at_photos_step,
    fill_birth_questions,
    fill_details,
    fits_phone,
    key_on_page,
    only_dossier,
    record_uploads,
    stored_files,
    upload_with_script,
)

pytestmark = pytest.mark.browser





















def test_whole_journey_on_a_phone_with_javascript(page, live_server, tmp_path, monkeypatch):
    sent = record_uploads(monkeypatch)

    page.goto(live_server(f"/thu-tuc/{SLUG}"))
    fits_phone(page, "procedure page")
    page.click("a:has-text('Nộp hồ sơ trực tuyến')")
    assert page.url.endswith(f"/thu-tuc/{SLUG}/nop-ho-so")
    assert "Bước 1 trên 5" in page.content()
    fits_phone(page, "step 1")
    fill_details(page)
    page.click("text=Lưu và tiếp tục")

    assert page.url.endswith("/nop-ho-so/cau-hoi")
    fits_phone(page, "step 2")
    fill_birth_questions(page)
    page.click("text=Lưu và tiếp tục")

    assert page.url.endswith("/nop-ho-so/anh-giay-to")
    fits_phone(page, "step 3")
    camera = camera_photo(tmp_path / "IMG_20261120_0930.jpg")
    upload_with_script(page, 0, camera)
    for part in REQUIRED_PARTS[1:]:
        upload_with_script(page, part, camera_photo(tmp_path / f"giay-{part}.jpg", 1600, 1200, seed=part))
    fits_phone(page, "step 3 with thumbnails")
    # A text file named .jpg: the server's message appears under it, and "Bỏ qua" clears it.
    fake = tmp_path / "giay-khac.jpg"
    fake.write_text("not a photo")
    page.set_input_files("#slot-khac-pick", str(fake))
    refused = page.locator("#part-khac .upload-item.upload-error [role=alert]")
    refused.wait_for(timeout=10000)
    assert "không phải là ảnh hay PDF" in refused.inner_text()
    page.click("#part-khac .upload-dismiss")
    assert page.locator("#part-khac .upload-item").count() == 0
    # An extra page sent by mistake is taken back with "Xóa" (in place, no reload; no htmx on this page).
    upload_with_script(page, "khac", camera_photo(tmp_path / "nham.jpg", 800, 600, seed=9))
    page.click("#files-khac li.photo button.photo-remove")
    page.locator("#files-khac li.photo").wait_for(state="detached", timeout=5000)
    # The phone shrank the 3000×2000 shot itself: what travelled is upright, ≤ 1600 px, without EXIF/GPS.
    first = Image.open(io.BytesIO(sent[0]))
    assert first.size == (1067, 1600)  # upload.js sends at most 1600 px: sharp enough for A4 text
    assert not first.getexif().get_ifd(GPS_IFD)
    files = stored_files(live_server)
    assert [(f[0], f[1]) for f in files] == [(0, 0), (1, 0), (4, 0)]
    assert all(max(f[2], f[3]) <= 2000 and f[4] == "image/jpeg" for f in files)
    assert files[0][2] < files[0][3]  # stored upright (portrait), as the villager held the phone
    page.click("form >> text=Tiếp tục")

    assert page.url.endswith("/nop-ho-so/nhan-ket-qua")
    fits_phone(page, "step 4")
    page.check("#result_method-1")  # by post, to the applicant's address (prefilled)
    assert page.input_value("#delivery_name") == "Lò Thị Hoa"
    page.fill("#delivery_note", "Gần trường tiểu học")
    page.click("text=Lưu và tiếp tục")

    assert page.url.endswith("/nop-ho-so/kiem-tra")
    fits_phone(page, "step 5")
    text = page.inner_text("main")
    for shown in ("Lò Thị Hoa", "0912 345 678", "001190012345", "Bản Nà Cang", "Lò Văn Minh", "01/10/2026",
                  "Nam", "Thái", "Qua bưu điện", "Gần trường tiểu học", "1 trang"):
        assert shown in text, shown
    assert page.locator("a.change").count() == 4  # details, questions, photos, result
    assert page.locator("#check-photos img").count() == 3

    # "Thay đổi" on the details goes to step 1 and straight back to the check page.
    page.click("#check-details a.change")
    assert "tu=kiem-tra" in page.url and page.input_value("#full_name") == "Lò Thị Hoa"
    page.fill("#village", "Bản Nà Cang Trên")
    page.click("text=Lưu và tiếp tục")
    assert page.url.endswith("/nop-ho-so/kiem-tra")
    assert "Bản Nà Cang Trên" in page.inner_text("#check-details")

    page.check("#declaration")
    page.click("button:has-text('Nộp hồ sơ')")
    page.wait_for_url(re.compile(r"/ho-so/\w+/bien-nhan$"))
    dossier_id, status, code = only_dossier(live_server)
    assert status == "submitted" and code in page.url
    assert page.locator(".big-code").inner_text().replace("-", "") == code
    assert page.locator("svg.qr").is_visible()
    key_on_page(live_server, page.inner_html(".receipt-code"))  # the browser that submitted sees the key
    fits_phone(page, "receipt")
    # Chromium logs the refused file's 422 answer; anything else (a CSP violation, a script error) fails.
    errors = [e for e in page.console_errors if "status of 422" not in e]
    assert errors == [], "console errors (CSP violations show up here)"


def test_whole_journey_without_javascript_keeps_what_was_typed(nojs_page, live_server, tmp_path):
    page = nojs_page
    page.goto(live_server(f"/thu-tuc/{SLUG}"))
    page.click("a:has-text('Nộp hồ sơ trực tuyến')")
    fill_details(page, id_number="0011900123")  # two digits short
    page.click("text=Lưu và tiếp tục")
    assert page.locator(".error-summary").is_visible()
    assert page.input_value("#full_name") == "Lò Thị Hoa"
    assert page.input_value("#phone").replace(" ", "") == "0912345678"  # kept (already tidied by the server)
    assert page.input_value("#id_number") == "0011900123"
    page.fill("#id_number", "001190012345")
    page.click("text=Lưu và tiếp tục")

    assert page.url.endswith("/nop-ho-so/cau-hoi")
    fill_birth_questions(page, skip=("child_ethnicity",))
    page.click("text=Lưu và tiếp tục")
    assert "Dân tộc của trẻ" in page.inner_text(".error-summary")
    assert page.input_value("#child_name") == "Lò Văn Minh" and page.input_value("#copies") == "2"
    assert page.is_checked("#child_sex-0")
    page.fill("#child_ethnicity", "Thái")
    page.click("text=Lưu và tiếp tục")

    # Plain multipart form: two pages of the form at once, the camera shot shrunk by the server.
    assert page.url.endswith("/nop-ho-so/anh-giay-to")
    page.set_input_files("#slot-0-pick", [camera_photo(tmp_path / "to-khai-1.jpg"),
                                          camera_photo(tmp_path / "to-khai-2.jpg", 1200, 900, seed=2)])
    page.click("#part-0 .upload-slot button[type=submit]")
    assert "Đã nhận 2 trang" in page.content()
    assert page.locator("#files-0 li.photo").count() == 2
    # A text file named .jpg is refused with its own message; the pages already sent stay.
    fake = tmp_path / "khai-sinh.jpg"
    fake.write_text("not a photo")
    page.set_input_files("#slot-1-pick", str(fake))
    page.click("#part-1 .upload-slot button[type=submit]")
    assert "không phải là ảnh hay PDF" in page.inner_text("#part-1")
    assert page.locator("#files-0 li.photo").count() == 2
    # Going on with a required paper missing says which one, and keeps the photos.
    page.click("form >> text=Tiếp tục")
    assert page.locator(".error-summary").is_visible()
    assert page.locator("#part-1.has-error").count() == 1
    assert page.locator("#files-0 li.photo").count() == 2
    for part in REQUIRED_PARTS[1:]:
        page.set_input_files(f"#slot-{part}-pick", camera_photo(tmp_path / f"g{part}.jpg", 800, 600, seed=part))
        page.click(f"#part-{part} .upload-slot button[type=submit]")
        assert "Đã nhận 1 trang" in page.content()
    files = stored_files(live_server)
    assert len(files) == 4 and all(max(f[2], f[3]) <= 2000 for f in files)
    assert (files[0][2], files[0][3]) == (1333, 2000)  # the server turned it upright and shrank it
    page.click("form >> text=Tiếp tục")

    assert page.url.endswith("/nop-ho-so/nhan-ket-qua")
    page.check("#result_method-1")
    page.fill("#delivery_address", "")
    page.click("text=Lưu và tiếp tục")
    assert "Nhập địa chỉ nhận" in page.content()
    assert page.is_checked("#result_method-1") and page.input_value("#delivery_name") == "Lò Thị Hoa"
    page.fill("#delivery_address", "Xã Mẫu, tỉnh Lào Cai")
    page.click("text=Lưu và tiếp tục")

    assert page.url.endswith("/nop-ho-so/kiem-tra")
    assert "2 trang" in page.inner_text("#check-photos")
    page.click("button:has-text('Nộp hồ sơ')")  # declaration not ticked: the browser itself asks for it
    assert page.eval_on_selector("#declaration", "box => box.validity.valueMissing")
    assert page.url.endswith("/nop-ho-so/kiem-tra") and only_dossier(live_server)[1] == "draft"
    page.check("#declaration")
    page.click("button:has-text('Nộp hồ sơ')")
    assert re.search(r"/ho-so/\w+/bien-nhan$", page.url)
    _id, status, code = only_dossier(live_server)
    assert status == "submitted"
    assert page.locator(".big-code").inner_text().replace("-", "") == code
    assert page.locator("svg.qr").is_visible()
    key_on_page(live_server, page.content())




def test_dropped_connection_is_retried_and_the_photo_arrives_once(page, live_server, tmp_path):
    token = draft_at_photos_step(live_server)
    page.goto(live_server(f"/tiep-tuc/{token}"))
    assert page.url.endswith("/nop-ho-so/anh-giay-to")
    attempts = []

    def drop_first(route):
        attempts.append(route.request.url)
        if len(attempts) in (1, 3):  # the first try of each photo never reaches the server
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/tai-len", drop_first)
    # Photo 1: the script says it will try again, and does so by itself.
    page.set_input_files("#slot-0-pick", camera_photo(tmp_path / "to-khai.jpg", 1600, 1200))
    page.wait_for_selector("#part-0 .upload-status:has-text('Tự thử lại sau 2 giây')", timeout=10000)
    assert page.locator("#part-0 .upload-retry").is_visible()
    page.locator("#files-0 li.photo").wait_for(timeout=15000)
    # Photo 2: the villager does not wait and taps "Gửi lại".
    page.set_input_files("#slot-1-pick", camera_photo(tmp_path / "chung-sinh.jpg", 1600, 1200, seed=2))
    page.locator("#part-1 .upload-retry").wait_for(state="visible", timeout=10000)
    page.click("#part-1 .upload-retry")
    page.locator("#files-1 li.photo").wait_for(timeout=10000)
    page.wait_for_timeout(2500)  # the cancelled automatic retry must not send it again
    assert len(attempts) == 4
    assert [(f[0], f[1]) for f in stored_files(live_server)] == [(0, 0), (1, 0)]
    assert page.locator("#files-0 li.photo").count() == 1 and page.locator("#files-1 li.photo").count() == 1
    assert page.locator(".upload-item").count() == 0
    errors = [e for e in page.console_errors if "ERR_CONNECTION_RESET" not in e and "ERR_FAILED" not in e]
    assert errors == []


def test_answer_lost_after_the_server_stored_the_photo_does_not_store_it_twice(page, live_server, tmp_path):
    token = draft_at_photos_step(live_server)
    page.goto(live_server(f"/tiep-tuc/{token}"))
    attempts = []

    def lose_the_answer(route):
        attempts.append(route.request.url)
        if len(attempts) == 1:
            route.fetch()  # the photo reaches the server and is stored…
            route.abort("connectionreset")  # …but the phone never hears back
        else:
            route.continue_()

    page.route("**/tai-len", lose_the_answer)
    page.set_input_files("#slot-0-pick", camera_photo(tmp_path / "to-khai.jpg", 1600, 1200))
    page.locator("#files-0 li.photo").wait_for(timeout=15000)
    assert len(attempts) == 2
    assert [(f[0], f[1]) for f in stored_files(live_server)] == [(0, 0)]


def test_photo_chosen_offline_is_sent_once_when_the_network_returns(page, live_server, tmp_path):
    token = draft_at_photos_step(live_server)
    page.goto(live_server(f"/tiep-tuc/{token}"))
    page.context.set_offline(True)
    requests = []
    page.on("request", lambda r: "/tai-len" in r.url and requests.append(r.url))
    page.set_input_files("#slot-0-pick", camera_photo(tmp_path / "to-khai.jpg", 1600, 1200))
    page.wait_for_selector("#part-0 .upload-status:has-text('Mất kết nối')", timeout=10000)
    for _tap in range(2):  # an impatient villager taps "Gửi lại" while still offline
        page.click("#part-0 .upload-retry")
        assert "Mất kết nối" in page.inner_text("#part-0 .upload-status")
    page.context.set_offline(False)
    page.locator("#files-0 li.photo").wait_for(timeout=15000)
    page.wait_for_timeout(1000)
    assert len(requests) == 1 and page.console_errors == []
    assert [(f[0], f[1]) for f in stored_files(live_server)] == [(0, 0)]
    assert page.locator("#files-0 li.photo").count() == 1


def test_several_photos_chosen_at_once_all_arrive_once_without_server_errors(page, live_server, tmp_path):
    token = draft_at_photos_step(live_server)
    page.goto(live_server(f"/tiep-tuc/{token}"))
    pages = [camera_photo(tmp_path / f"trang-{i}.jpg", 1600, 1200, seed=i) for i in range(4)]
    page.set_input_files("#slot-0-pick", pages)  # a four-page paper, picked from the gallery in one go
    page.wait_for_function("() => document.querySelectorAll('#files-0 li.photo').length === 4", timeout=20000)
    assert page.locator("#part-0 .upload-item").count() == 0
    assert [(f[0], f[1]) for f in stored_files(live_server)] == [(0, 0)] * 4
    assert page.console_errors == []  # no 500 from parallel writes to the same draft, no retry needed
