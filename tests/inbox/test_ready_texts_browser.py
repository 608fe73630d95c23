"""In a browser, a ready-made text goes into the box in place (htmx), without leaving the page,
and a bulk receive opens one print job of every sheet."""
import pytest

from commune.extensions import db
from commune.inbox.ready_texts import ReadyText
from tests.browser.conftest import axe_violations, browser, live_server  # noqa: F401  (fixtures)
from tests.factories import make_dossier, make_procedure, make_user
from tests.inbox.test_browser import desk, login  # noqa: F401  (fixture, helper)

pytestmark = pytest.mark.browser


def test_a_picked_text_lands_in_the_box_in_place_and_the_bulk_receive_prints_every_sheet(
        desk, live_server):  # noqa: F811
    with live_server.app.app_context():
        make_user("clerk", username="motcua")
        procedure = make_procedure(name="Đăng ký khai sinh thử")
        first = make_dossier(procedure, "submitted", applicant_name="Lò Văn Một")
        second = make_dossier(procedure, "submitted", applicant_name="Lò Thị Hai")
        db.session.add(ReadyText(kind="supplement", title="Ảnh mờ", body="Ảnh chụp bị mờ, vui lòng chụp lại."))
        db.session.commit()
        first_id, second_id = first.id, second.id
    login(desk, live_server)
    desk.goto(live_server(f"/hop-thu/ho-so/{first_id}"))
    desk.click("summary:has-text('Yêu cầu bổ sung')")
    desk.fill("#supplement-message", "Kính gửi ông/bà,")
    desk.evaluate("window.addEventListener('beforeunload', () => { window.left = true; })")
    desk.click("#action-supplement button:has-text('Chèn mẫu câu')")
    desk.wait_for_selector("#supplement-message:text('vui lòng chụp lại')")
    assert desk.input_value("#supplement-message") == "Kính gửi ông/bà,\nẢnh chụp bị mờ, vui lòng chụp lại."
    assert desk.evaluate("window.left") is None  # swapped in place, no reload
    assert not axe_violations(desk, live_server)

    desk.goto(live_server("/hop-thu?tab=waiting"))
    desk.check(f"input.row-select[value='{first_id}']")
    desk.check(f"input.row-select[value='{second_id}']")
    desk.evaluate("window.print = () => { window.printed = true; }")
    desk.click("button:has-text('Tiếp nhận các hồ sơ trực tuyến đã chọn')")
    desk.wait_for_url("**/hop-thu/in-nhieu**")
    assert desk.locator("article.sheet").count() == 4
    desk.emulate_media(media="print")  # on paper each sheet begins a page
    breaks = desk.evaluate("[...document.querySelectorAll('article.sheet')].map(s => getComputedStyle(s).breakAfter)")
    assert breaks == ["page", "page", "page", "auto"]
    desk.emulate_media(media="screen")
    assert not axe_violations(desk, live_server)
    assert desk.console_errors == []
