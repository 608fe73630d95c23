"""Phone numbers and citizen ID numbers as villagers type them; no phone at all; someone submitting for another."""
import pytest
import sqlalchemy as sa

from commune.core.phone import format_phone, is_mobile, normalise_citizen_id, normalise_phone
from commune.dossiers.models import Dossier
from commune.extensions import db
from commune.notices.outbox import Notice
from tests.journeys import ANSWERS, DETAILS, shown_key, submit_key, upload
from tests.photos import images


@pytest.mark.parametrize("typed", ["0912 345 678", "+84912345678", "+84 912 345 678", "84912345678",
                                   "0912.345.678", "0912-345-678", "912345678", "(+84) 912 345 678"])
def test_mobile_numbers_are_accepted_as_typed_and_stored_normalised(typed):
    assert normalise_phone(typed) == "0912345678"


@pytest.mark.parametrize("typed", ["", "12345", "0112345678", "091234567", "09123456789", "abc",
                                   "+1 202 555 0100", "0012345678",
                                   # digits an SMS gateway cannot send
                                   "091234567٨", "０９１２３４５６７８", "0912345６78"])
def test_wrong_phone_numbers_are_refused(typed):
    assert normalise_phone(typed) is None


def test_landlines_are_accepted_but_are_not_mobiles():
    assert normalise_phone("0200 3 800 000") == "02003800000"
    assert not is_mobile("02003800000") and is_mobile("0381234567")
    assert format_phone("0912345678") == "0912 345 678"


@pytest.mark.parametrize("typed,expected", [("001203004567", "001203004567"), ("0011 9500 4567", "001195004567"),
                                            ("079.088.001.234", "079088001234")])
def test_citizen_ids_are_checked_and_normalised(typed, expected):
    assert normalise_citizen_id(typed) == expected


@pytest.mark.parametrize("typed", ["00120300456", "0012030045678", "003203004567", "999203004567",
                                   "001299004567", "00120300456A", "00120300456٧", "００１２０３００４５６７"])
def test_wrong_citizen_ids_are_refused(typed):
    # too short, too long, unknown province 003 / 999, born in 2099, a letter, digits not ASCII
    assert normalise_citizen_id(typed) is None


# --- Villagers without a phone, and people who submit for them ("nộp thay") ------------------


def _submit(client, procedure, **details):
    """The whole online journey with these details (result at the office), submitted."""
    response = client.post(f"/thu-tuc/{procedure.slug}/nop-ho-so", data=dict(DETAILS, **details))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert client.post("/nop-ho-so/cau-hoi", data=ANSWERS).status_code == 302
    for index, doc in enumerate(procedure.documents):
        if doc.required:
            assert upload(client, index, images.jpeg()).status_code == 201
    assert client.post("/nop-ho-so/anh-giay-to").status_code == 302
    assert client.post("/nop-ho-so/nhan-ket-qua", data={"result_method": "office"}).status_code == 302
    response = client.post("/nop-ho-so/nop", data={"submit_key": submit_key(client), "declaration": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return db.session.scalar(sa.select(Dossier).where(Dossier.code.is_not(None)))


def test_a_villager_without_a_phone_submits_and_the_key_is_their_only_credential(app, client, full_procedure):
    app.config.update(SMS_URL="http://127.0.0.1:9/sms")  # SMS configured: still none for this dossier
    step = client.get(f"/thu-tuc/{full_procedure.slug}/nop-ho-so").get_data(as_text=True)
    assert "Số điện thoại (không bắt buộc)" in step
    dossier = _submit(client, full_procedure, phone="")
    assert dossier.status == "submitted" and dossier.applicant_phone == ""
    assert db.session.scalars(sa.select(Notice).filter_by(channel="sms")).all() == []
    receipt = client.get(f"/ho-so/{dossier.code}/bien-nhan").get_data(as_text=True)
    key = shown_key(receipt, dossier)
    assert f'<p class="code big-code">{key}</p>' in receipt  # the key printed large
    assert "Mã tra cứu ở trên là cách duy nhất" in receipt
    assert "tin nhắn SMS" not in receipt
    # Nobody opens it with an empty or made-up phone: only with the key.
    stranger = app.test_client()
    for secret in ("", "0000000000", "0912345678"):
        assert stranger.post("/tra-cuu", data={"code": dossier.code, "secret": secret}).status_code in (400, 404)
    assert stranger.post("/tra-cuu", data={"code": dossier.code, "secret": key}).status_code == 302


def test_a_relative_submits_for_someone_and_is_the_one_notified(app, client, full_procedure):
    app.config.update(SMS_URL="http://127.0.0.1:9/sms")
    dossier = _submit(client, full_procedure, phone="", for_someone="y", helper_name="Lò Văn Páo",
                      helper_phone="0987 123 456", helper_role="relative", helper_relation="con trai")
    assert (dossier.applicant_name, dossier.helper_name, dossier.helper_phone, dossier.helper_role,
            dossier.helper_relation) == ("Lò Thị Hoa", "Lò Văn Páo", "0987123456", "relative", "con trai")
    assert [n.to for n in db.session.scalars(sa.select(Notice).filter_by(channel="sms"))] == ["0987123456"]
    receipt = client.get(f"/ho-so/{dossier.code}/bien-nhan").get_data(as_text=True)
    assert "Người nộp thay" in receipt and "Lò Văn Páo" in receipt and "cách duy nhất" not in receipt
    # The helper follows it with the code and their own phone (status only, as for any phone).
    helper = app.test_client()
    assert helper.post("/tra-cuu", data={"code": dossier.code, "secret": "0987123456"}).status_code == 302


def test_submitting_for_someone_needs_the_helper_name_phone_and_who_they_are(client, full_procedure):
    page = client.post(f"/thu-tuc/{full_procedure.slug}/nop-ho-so",
                       data=dict(DETAILS, for_someone="y", helper_name="", helper_phone="123"))
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "Nhập họ và tên người nộp thay." in html and "Số điện thoại chưa đúng" in html
    assert "Chọn người nộp thay là ai." in html and "<details class=\"helper-fields\" open>" in html
    assert 'value="Lò Thị Hoa"' in html  # nothing typed is lost
    assert db.session.scalar(sa.select(sa.func.count(Dossier.id))) == 0


def test_helper_fields_typed_then_unticked_are_not_kept(client, full_procedure):
    response = client.post(f"/thu-tuc/{full_procedure.slug}/nop-ho-so",
                           data=dict(DETAILS, helper_name="Lò Văn Páo", helper_phone="12"))
    assert response.status_code == 302
    draft = db.session.scalar(sa.select(Dossier))
    assert draft.helper_name == "" and draft.helper_phone == ""
