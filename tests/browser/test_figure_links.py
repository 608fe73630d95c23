"""In a real browser the monthly chart's bars are links a screen reader and a keyboard reach (the
chart is a labelled group, not an image that hides its children); axe checks the page at the end."""
import re

from commune.core.timeutil import local_today, utcnow
from commune.extensions import db
from tests.factories import PASSWORD, make_dossier, make_procedure, make_user


def test_a_bar_is_a_named_link_the_keyboard_follows_to_its_dossiers(page, live_server):
    with live_server.app.app_context():
        make_user("leader", username="chu-tich")
        procedure = make_procedure()
        for _i in range(2):
            make_dossier(procedure, "processing", received_at=utcnow())
        db.session.commit()
        month = f"{local_today():%m/%y}"
    page.goto(live_server("/dang-nhap"))
    page.fill("#username", "chu-tich")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(live_server("/so-lieu"))
    bar = page.get_by_role("link", name=f"Tháng {month}: 2 hồ sơ tiếp nhận")  # the accessibility tree's name
    assert bar.count() == 1
    bar.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/hop-thu?**")
    assert re.search(r"2 hồ sơ", page.locator(".list-summary").inner_text())
    assert "Các hồ sơ của số liệu" in page.content()
    assert page.console_errors == [], "console errors (CSP violations show up here)"
