"""Tracking in a real phone-sized browser: lookup, receipt, supplement answer with and without JavaScript."""
import pytest
import sqlalchemy as sa

from commune.dossiers.models import DossierFile, SupplementRequest
from commune.dossiers.workflow import transition
from commune.extensions import db
from tests.browser.conftest import axe_violations, horizontal_overflow
from tests.factories import make_procedure, make_user, new_dossier, photo

pytestmark = pytest.mark.browser


def _waiting(live_server):
    with live_server.app.app_context():
        procedure = make_procedure(name="Đăng ký khai sinh", documents=("Tờ khai", "Giấy chứng sinh"))
        dossier = new_dossier(procedure=procedure, status="draft")
        transition(dossier, "submitted")
        clerk = make_user("clerk")
        transition(dossier, "received", clerk)
        transition(dossier, "needs_supplement", clerk, note="Ảnh giấy chứng sinh bị mờ.")
        db.session.add(SupplementRequest(dossier=dossier, round=1, message="Ảnh giấy chứng sinh bị mờ.",
                                         items=[{"document_index": 1, "label": "Giấy chứng sinh (ảnh mờ)"}]))
        db.session.commit()
        return dossier.id, dossier.code, dossier.lookup_key


def _look_up(page, live_server, code, secret):
    page.goto(live_server("/tra-cuu"))
    page.fill("#code", code.lower())
    page.fill("#secret", secret)
    page.click("button[type=submit]")
    assert f"/ho-so/{code}" in page.url


def _state(live_server, dossier_id):
    with live_server.app.app_context():
        files = db.session.scalars(sa.select(DossierFile.round).where(DossierFile.dossier_id == dossier_id)).all()
        status = db.session.scalar(sa.text("select status from dossiers where id = :i"), {"i": dossier_id})
        return status, files


def test_lookup_and_tracking_page_fit_a_phone_and_are_accessible(page, live_server):
    _id, code, key = _waiting(live_server)
    _look_up(page, live_server, code, "0912345678")  # code + phone: the status page with the key prompt
    assert "Hãy gửi bổ sung: Giấy chứng sinh (ảnh mờ)" in page.content()
    assert page.locator(".key-prompt").is_visible()
    assert horizontal_overflow(page) <= 0
    assert axe_violations(page, live_server) == []
    page.fill(".key-prompt input[name=secret]", key)
    page.click(".key-prompt button[type=submit]")
    assert page.locator("#bo-sung").is_visible()  # full access: the answer form
    assert horizontal_overflow(page) <= 0
    assert axe_violations(page, live_server) == []
    page.goto(live_server(f"/ho-so/{code}/bien-nhan"))
    assert page.locator("svg.qr").is_visible()
    assert page.locator(".js-print").is_visible()  # the print button appears with JavaScript
    assert horizontal_overflow(page) <= 0
    assert axe_violations(page, live_server) == []
    assert page.console_errors == []


def test_supplement_photo_uploads_at_once_then_is_sent(page, live_server, tmp_path):
    dossier_id, code, key = _waiting(live_server)  # opened with the receipt's key: full access
    _look_up(page, live_server, code, key)
    image = tmp_path / "chung-sinh.jpg"
    image.write_bytes(photo((0, 0, 200)))
    page.set_input_files("#sup-slot-0-pick", str(image))
    page.wait_for_selector("#sup-files-0 li.photo", timeout=15000)
    page.fill("#reply", "Tôi gửi lại ảnh rõ hơn.")
    page.click(".supplement-send button[type=submit]")
    page.wait_for_selector("text=Bạn đã gửi bổ sung")
    assert _state(live_server, dossier_id) == ("received", [1])
    assert page.console_errors == []


def test_supplement_answer_works_without_javascript(nojs_page, live_server, tmp_path):
    dossier_id, code, key = _waiting(live_server)  # opened with the receipt's key: full access
    _look_up(nojs_page, live_server, code, key)
    image = tmp_path / "chung-sinh.jpg"
    image.write_bytes(photo((0, 120, 0)))
    nojs_page.set_input_files("#sup-slot-0-pick", str(image))
    nojs_page.click("#item-0 .upload-slot button[type=submit]")
    assert "Đã thêm 1 trang" in nojs_page.content()
    nojs_page.click(".supplement-send button[type=submit]")
    assert "Bạn đã gửi bổ sung" in nojs_page.content()
    assert _state(live_server, dossier_id) == ("received", [1])
