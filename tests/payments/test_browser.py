"""The VietQR in a real browser: the strict CSP lets the data: image load, it fits a 360 px phone, and
the page passes axe (the `page` fixture audits every page it visited)."""
import pytest

from commune.extensions import db
from commune.payments.banks import bank_by_bin, save_account
from tests.browser.conftest import browser, horizontal_overflow, live_server, page  # noqa: F401
from tests.factories import make_procedure, new_dossier
from tests.journeys import qr_link

pytestmark = pytest.mark.browser


def test_the_vietqr_shows_on_a_phone_under_the_strict_csp(page, live_server):  # noqa: F811
    with live_server.app.app_context():
        save_account(bank_by_bin("970405"), "8888000012345", "UBND xã Mẫu")
        dossier = new_dossier(procedure=make_procedure(fee_vnd=2000, fee_unit="trang"), status="received",
                              fee_vnd=6000)
        db.session.commit()
        code, link = dossier.code, qr_link(dossier)
    page.console_errors.clear()
    page.goto(live_server(link))  # the receipt's QR code
    image = page.locator("img.vietqr")
    image.wait_for()
    assert image.evaluate("img => img.complete && img.naturalWidth > 100")
    assert f"HS {code}" in page.text_content(".pay-box")
    assert horizontal_overflow(page) <= 0 and page.console_errors == []
