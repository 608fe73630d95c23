"""The VietQR payload, read back by a parser written here (not the module's), and shown to villagers."""
import pytest

from commune.core.timeutil import utcnow
from commune.payments.vietqr import VietQRError, payload, transfer_content
from tests.journeys import open_in_browser
from tests.payments.conftest import ACCOUNT_BIN, ACCOUNT_NUMBER
from tests.payments.vietqr_reader import decode

PAID = '<span class="badge badge-green">Đã thanh toán</span>'
# Published example: github.com/subiz/vietqr README.md ("Sinh mã chuyển khoản 120.000 vào STK 0011001932418
# ngân hàng Vietin với ghi chú 'ủng hộ lũ lụt'"), the output of vietqr.Generate(120000, "970415", ...).
PUBLISHED = ("00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA530370454061200005802VN"
             "62170813ung ho lu lut6304C15C")


def test_the_payload_carries_the_exact_transfer():
    text = payload(ACCOUNT_BIN, ACCOUNT_NUMBER, 6000, transfer_content("K7QMX2PDAF"))
    assert decode(text) == {
        "format": "01", "initiation": "12", "guid": "A000000727", "service": "QRIBFTTA", "bin": "970405",
        "account": "8888000012345", "currency": "704", "amount": 6000, "country": "VN",
        "content": "HS K7QMX2PDAF"}


def test_the_published_example_decodes_the_same_way():
    assert decode(PUBLISHED) == {
        "format": "01", "initiation": "12", "guid": "A000000727", "service": "QRIBFTTA", "bin": "970415",
        "account": "0011001932418", "currency": "704", "amount": 120000, "country": "VN",
        "content": "ung ho lu lut"}
    # Our builder writes the same bytes for the same transfer.
    assert payload("970415", "0011001932418", 120000, "ung ho lu lut") == PUBLISHED


def test_a_changed_digit_breaks_the_crc():
    text = payload(ACCOUNT_BIN, ACCOUNT_NUMBER, 6000, "HS K7QMX2PDAF").replace("54046000", "54049000")
    with pytest.raises(AssertionError, match="CRC"):
        decode(text)


@pytest.mark.parametrize("args", [
    ("97040", ACCOUNT_NUMBER, 6000, "HS X"),          # a BIN is 6 digits
    (ACCOUNT_BIN, "12 34", 6000, "HS X"),            # no spaces in an account
    (ACCOUNT_BIN, ACCOUNT_NUMBER, 0, "HS X"),        # a dynamic QR has an amount
    (ACCOUNT_BIN, ACCOUNT_NUMBER, 6000, "Lệ phí"),   # the content stays plain ASCII
    (ACCOUNT_BIN, ACCOUNT_NUMBER, 6000, "X" * 26),   # and short
])
def test_what_cannot_make_a_qr_is_refused(args):
    with pytest.raises(VietQRError):
        payload(*args)


def test_the_receipt_shows_the_qr_and_the_same_facts_as_text(app, client, account, owing):
    dossier = owing(fee=6000, status="submitted")
    open_in_browser(client, dossier)
    html = client.get(f"/ho-so/{dossier.code}/bien-nhan").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in html and 'class="vietqr"' in html
    for text in ("Agribank", ACCOUNT_NUMBER, "UBND XA MAU", ">6000<", f"HS {dossier.code}", "6.000 đ"):
        assert text in html, text


def test_the_tracking_page_shows_the_qr_until_paid(app, client, account, owing, login_as):
    dossier = owing(fee=8000)
    open_in_browser(client, dossier)
    html = client.get(f"/ho-so/{dossier.code}").get_data(as_text=True)
    assert 'class="vietqr"' in html and PAID not in html
    clerk_client = app.test_client()
    login_as("clerk", client_=clerk_client)
    response = clerk_client.post(f"/hop-thu/ho-so/{dossier.id}/thanh-toan",
                                 data={"channel": "transfer", "amount": "8000", "reference": "FT26335001"})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    html = client.get(f"/ho-so/{dossier.code}").get_data(as_text=True)
    assert PAID in html and 'class="vietqr"' not in html


def test_without_an_account_the_page_says_to_pay_at_the_desk(client, owing):
    dossier = owing(fee=6000)
    open_in_browser(client, dossier)
    html = client.get(f"/ho-so/{dossier.code}").get_data(as_text=True)
    assert 'class="vietqr"' not in html and "Nộp lệ phí tại bộ phận Một cửa" in html


def test_a_free_dossier_shows_no_fee_box(client, account, owing):
    dossier = owing(fee=0)
    open_in_browser(client, dossier)
    html = client.get(f"/ho-so/{dossier.code}").get_data(as_text=True)
    assert "pay-box" not in html


def test_form_01_prints_the_qr(client, login_as, account, owing):
    dossier = owing(fee=6000, received_at=utcnow())
    login_as("clerk")
    html = client.get(f"/hop-thu/ho-so/{dossier.id}/in/tiep-nhan").get_data(as_text=True)
    assert "GIẤY TIẾP NHẬN" in html and 'class="vietqr"' in html and f"HS {dossier.code}" in html


def test_a_refused_dossier_asks_for_no_payment(client, account, owing):
    dossier = owing(fee=6000, status="refused")
    open_in_browser(client, dossier)
    html = client.get(f"/ho-so/{dossier.code}").get_data(as_text=True)
    assert "pay-box" not in html and "vietqr" not in html
