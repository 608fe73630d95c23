"""The receipt after submitting: everything the villager needs to keep, printable, with a QR code."""
from datetime import datetime

from commune.core.calendar import compute_due_date
from commune.core.settings import set_setting
from commune.core.timeutil import format_day
from commune.dossiers.attachments import attach_file
from commune.dossiers.codes import link_token
from commune.extensions import db
from commune.tracking.receipt import qr_svg
from tests.factories import make_procedure, new_dossier, pdf_file, photo
from tests.journeys import holds_in_full

# A Tuesday morning in Viet Nam (UTC+7): the clock starts the same day.
SUBMITTED = datetime(2026, 11, 17, 2, 0)


def _submitted_with_pages(client):
    procedure = make_procedure(name="Đăng ký khai sinh", processing_days=3,
                               documents=("Tờ khai đăng ký khai sinh", "Giấy chứng sinh"))
    dossier = new_dossier(procedure=procedure, submitted_at=SUBMITTED)
    attach_file(dossier, photo((10, 10, 10)), "to-khai-1.jpg", document_index=0)
    attach_file(dossier, photo((20, 20, 20)), "to-khai-2.jpg", document_index=0)
    attach_file(dossier, photo((30, 30, 30)), "chung-sinh.jpg", document_index=1)
    set_setting("office_phone", "0210 3 812 345")
    holds_in_full(client, dossier)
    return dossier


def test_receipt_shows_code_date_procedure_pages_due_date_and_desk_phone(client):
    dossier = _submitted_with_pages(client)
    response = client.get(f"/ho-so/{dossier.code}/bien-nhan")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert dossier.display_code in html and "-" in dossier.display_code
    assert "17/11/2026 09:00" in html  # local time
    assert "Đăng ký khai sinh" in html
    assert "Tờ khai đăng ký khai sinh</td><td class=\"num\">2<" in html
    assert "Giấy chứng sinh</td><td class=\"num\">1<" in html
    expected = compute_due_date(SUBMITTED, 3)
    assert format_day(expected) in html and "dự kiến" in html
    assert "0210 3 812 345" in html
    assert "Nhận tại bộ phận Một cửa" in html
    assert "Tiếp theo" in html
    assert "Lưu trang này" in html


def test_receipt_has_a_qr_code_of_the_tracking_link_with_the_lookup_key(client, app):
    dossier = _submitted_with_pages(client)
    html = client.get(f"/ho-so/{dossier.code}/bien-nhan").get_data(as_text=True)
    with app.app_context():  # the QR carries the key's link token (made from the stored hash), the page the key
        link = f"http://localhost/ho-so/{dossier.code}?k={link_token(dossier.lookup_key_hash)}"
    with app.test_request_context():
        assert qr_svg(link) in html
    assert dossier.lookup_key in html and f"?k={dossier.lookup_key}" not in html
    # opening that link in another browser opens the dossier
    other = app.test_client()
    assert other.get(link).status_code == 302
    assert dossier.applicant_name in other.get(f"/ho-so/{dossier.code}").get_data(as_text=True)


def test_receipt_qr_uses_the_public_address_when_configured(client, app):
    app.config["COMMUNE_PUBLIC_URL"] = "https://motcua.xa-mau.gov.vn/"
    dossier = _submitted_with_pages(client)
    html = client.get(f"/ho-so/{dossier.code}/bien-nhan").get_data(as_text=True)
    with app.test_request_context():
        token = link_token(dossier.lookup_key_hash)
        assert qr_svg(f"https://motcua.xa-mau.gov.vn/ho-so/{dossier.code}?k={token}") in html


def test_receipt_is_printable_without_inline_script_or_style(client):
    import re

    dossier = _submitted_with_pages(client)
    html = client.get(f"/ho-so/{dossier.code}/bien-nhan").get_data(as_text=True)
    assert "js/tracking.js" in html and "js-print" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert " style=" not in html and "<style" not in html
    stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)"', html).group(1)
    css = client.get(stylesheet).get_data(as_text=True)
    assert ".receipt-qr" in css and "@media print" in css


def test_incomplete_dossier_gets_no_promised_date(client):
    procedure = make_procedure(documents=("Tờ khai", "Giấy tờ tùy thân"), processing_days=3)
    dossier = new_dossier(procedure=procedure)
    attach_file(dossier, photo(), "to-khai.jpg", document_index=0)
    holds_in_full(client, dossier)
    html = client.get(f"/ho-so/{dossier.code}/bien-nhan").get_data(as_text=True)
    assert "còn thiếu giấy tờ" in html
    assert "dự kiến" not in html


def test_received_dossier_receipt_shows_the_confirmed_due_date(client):
    dossier = new_dossier(status="received", due_date=datetime(2026, 11, 20).date())
    holds_in_full(client, dossier)
    html = client.get(f"/ho-so/{dossier.code}/bien-nhan").get_data(as_text=True)
    assert "Thứ Sáu, 20/11/2026" in html and "dự kiến" not in html


def test_a_stranger_asking_for_a_receipt_is_sent_to_the_lookup_form(client):
    dossier = new_dossier()
    db.session.commit()
    response = client.get(f"/ho-so/{dossier.code}/bien-nhan")
    assert response.status_code == 302
    assert "/tra-cuu" in response.location
    assert client.get("/ho-so/QQQQQQQQQQ/bien-nhan").status_code == 302  # same for a code that does not exist


def test_clerk_can_print_the_receipt_of_a_counter_dossier(client, login_as):
    dossier = new_dossier(channel="counter")
    db.session.commit()
    login_as("clerk")
    html = client.get(f"/ho-so/{dossier.code}/bien-nhan").get_data(as_text=True)
    assert dossier.display_code in html and "Tại quầy" in html
    assert dossier.lookup_key not in html  # the key is printed only on the desk's slip for the villager


def test_receipt_says_the_code_was_sent_by_sms_when_a_notice_is_queued(client, app):
    from commune.notices.outbox import Notice

    dossier = _submitted_with_pages(client)
    db.session.add(Notice(dossier=dossier, channel="sms", to="0912345678", body="HS ..."))
    db.session.commit()
    html = client.get(f"/ho-so/{dossier.code}/bien-nhan").get_data(as_text=True)
    assert "gửi qua tin nhắn SMS đến số 0912345678" in html


def test_receipt_says_when_a_document_was_sent_as_pdf(client):

    procedure = make_procedure(documents=("Tờ khai", "Giấy khai sinh"))
    dossier = new_dossier(procedure=procedure)
    attach_file(dossier, photo(), "to-khai.jpg", document_index=0)
    attach_file(dossier, pdf_file(), "khai-sinh-vneid.pdf", document_index=1)
    holds_in_full(client, dossier)
    html = client.get(f"/ho-so/{dossier.code}/bien-nhan").get_data(as_text=True)
    assert "(1 tệp PDF)" in html
