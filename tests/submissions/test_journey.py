"""A villager submits a dossier from a phone: every step, with and without the optional ones."""
import sqlalchemy as sa

from commune.core.timeutil import utcnow
from commune.dossiers.access import hash_token
from commune.dossiers.models import Dossier, DossierEvent
from commune.extensions import db
from tests.factories import make_procedure
from tests.journeys import ANSWERS, DETAILS, fill_draft, shown_key, submit_key, upload
from tests.photos import images


def only_dossier():
    return db.session.scalars(sa.select(Dossier)).one()


def test_the_whole_journey_with_questions_photos_and_postal_return(client, full_procedure):
    start = client.get(f"/thu-tuc/{full_procedure.slug}/nop-ho-so")
    assert start.status_code == 200 and "Bước 1 trên 5" in start.get_data(as_text=True)

    response = client.post(f"/thu-tuc/{full_procedure.slug}/nop-ho-so", data=DETAILS)
    assert response.location == "/nop-ho-so/cau-hoi"
    cookie = client.get_cookie("draft")
    assert cookie.http_only and cookie.same_site == "Lax" and cookie.max_age >= 30 * 86400
    draft = only_dossier()
    assert draft.status == "draft" and draft.draft_token_hash == hash_token(cookie.value)
    assert draft.applicant_phone == "0912345678" and draft.applicant_id_number == "001195004567"
    assert (draft.expires_at - utcnow()).days in (29, 30)
    assert draft.procedure_snapshot["documents"][1]["name"] == "Giấy chứng sinh"

    questions = client.get("/nop-ho-so/cau-hoi").get_data(as_text=True)
    assert "Họ tên của trẻ" in questions and 'type="date"' in questions and "Nếu cần" in questions
    assert client.post("/nop-ho-so/cau-hoi", data=ANSWERS).location == "/nop-ho-so/anh-giay-to"

    photos = client.get("/nop-ho-so/anh-giay-to").get_data(as_text=True)
    assert 'capture="environment"' in photos and 'accept="image/*,application/pdf"' in photos
    assert 'data-upload-url="/nop-ho-so/anh-giay-to/0/tai-len"' in photos
    first = upload(client, 0, images.jpeg(4000, 3000, orientation=6, gps=True))
    assert first.status_code == 201 and 'class="photo"' in first.get_data(as_text=True)
    assert upload(client, 0, images.jpeg(color=(0, 0, 200)), "trang2.jpg").status_code == 201
    assert upload(client, 1, images.pdf(2), "chung-sinh.pdf").status_code == 201
    assert client.post("/nop-ho-so/anh-giay-to").location == "/nop-ho-so/nhan-ket-qua"

    result_page = client.get("/nop-ho-so/nhan-ket-qua").get_data(as_text=True)
    assert "Phí chuyển phát" in result_page and 'value="Lò Thị Hoa"' in result_page  # prefilled
    response = client.post("/nop-ho-so/nhan-ket-qua", data={
        "result_method": "post", "delivery_name": "Lò Thị Hoa", "delivery_phone": "0912 345 678",
        "delivery_village": "Bản Nà Cang", "delivery_address": "Xã Mẫu", "delivery_note": "Gọi trước"})
    assert response.location == "/nop-ho-so/kiem-tra"

    check = client.get("/nop-ho-so/kiem-tra").get_data(as_text=True)
    for text in ("Lò Thị Hoa", "0912 345 678", "Lò Văn Minh", "01/03/2026", "2 trang", "Qua bưu điện",
                 "Thay đổi", "?tu=kiem-tra"):
        assert text in check
    key = submit_key(client)
    response = client.post("/nop-ho-so/nop", data={"submit_key": key, "declaration": "y"})

    dossier = only_dossier()
    assert response.status_code == 302
    assert response.location.endswith(f"/ho-so/{dossier.code}/bien-nhan") or dossier.code in response.location
    assert dossier.status == "submitted" and dossier.channel == "online" and dossier.submitted_at
    assert len(dossier.code) == 10 and len(dossier.lookup_key_hash) == 64 and dossier.expires_at is None
    assert dossier.receiving_unit == "UBND xã Mẫu" and dossier.fee_vnd == 8000
    assert dossier.form_data == {"child_name": "Lò Văn Minh", "birth_date": "2026-03-01", "sex": "Nam",
                                 "twins": False, "copies": 2, "note": None}
    assert dossier.result_method == "post" and dossier.delivery_phone == "0912345678"
    assert "lo thi hoa" in dossier.search_text and dossier.code.lower() in dossier.search_text
    assert dossier.procedure_snapshot["name"] == "Đăng ký khai sinh (thử)"
    assert [(f.document_index, f.mime) for f in dossier.files] == [
        (0, "image/jpeg"), (0, "image/jpeg"), (1, "application/pdf")]
    event = db.session.scalars(sa.select(DossierEvent)).one()
    assert (event.from_status, event.to_status, event.actor_label) == ("draft", "submitted", "Công dân")
    # The draft cookie is gone; the browser that submitted sees its receipt (with the key) from its session.
    assert client.get_cookie("draft") is None
    receipt = client.get(f"/ho-so/{dossier.code}/bien-nhan")
    assert receipt.status_code == 200 and shown_key(receipt.get_data(as_text=True), dossier)


def test_a_procedure_without_questions_or_postal_return_skips_those_steps(client, plain_procedure):
    page = client.get(f"/thu-tuc/{plain_procedure.slug}/nop-ho-so").get_data(as_text=True)
    assert "Bước 1 trên 3" in page
    response = client.post(f"/thu-tuc/{plain_procedure.slug}/nop-ho-so", data=DETAILS)
    assert response.location == "/nop-ho-so/anh-giay-to"
    assert client.get("/nop-ho-so/cau-hoi").location == "/nop-ho-so/anh-giay-to"
    assert upload(client, 0, images.jpeg()).status_code == 201
    assert client.post("/nop-ho-so/anh-giay-to").location == "/nop-ho-so/kiem-tra"
    assert client.get("/nop-ho-so/nhan-ket-qua").location == "/nop-ho-so/kiem-tra"
    check = client.get("/nop-ho-so/kiem-tra").get_data(as_text=True)
    assert "Nhận kết quả" not in check and "Thông tin cho thủ tục" not in check
    response = client.post("/nop-ho-so/nop", data={"submit_key": submit_key(client), "declaration": "y"})
    dossier = only_dossier()
    assert response.status_code == 302 and dossier.code in response.location
    assert dossier.status == "submitted" and dossier.result_method == "office" and dossier.form_data == {}


def test_choosing_the_office_needs_no_address(client, full_procedure):
    fill_draft(client, full_procedure, postal=False)
    assert client.post("/nop-ho-so/nhan-ket-qua", data={"result_method": "office"}).status_code == 302
    client.post("/nop-ho-so/nop", data={"submit_key": submit_key(client), "declaration": "y"})
    assert only_dossier().result_method == "office" and only_dossier().delivery_address == ""


def test_a_procedure_that_is_not_offered_online_has_no_form(client, app):
    procedure = make_procedure(online_level=None)
    db.session.commit()
    assert client.get(f"/thu-tuc/{procedure.slug}/nop-ho-so").status_code == 404
    assert client.get("/thu-tuc/khong-co/nop-ho-so").status_code == 404


def test_wrong_phone_and_id_get_clear_messages_and_nothing_typed_is_lost(client, full_procedure):
    bad = dict(DETAILS, phone="12345", id_number="1234", full_name="Lò Thị Hoa")
    page = client.post(f"/thu-tuc/{full_procedure.slug}/nop-ho-so", data=bad)
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "Số điện thoại chưa đúng" in html and "gồm đúng 12 chữ số" in html
    assert 'value="Lò Thị Hoa"' in html and 'value="12345"' in html and 'value="Bản Nà Cang"' in html
    assert db.session.scalar(sa.select(sa.func.count(Dossier.id))) == 0
    empty = client.post(f"/thu-tuc/{full_procedure.slug}/nop-ho-so", data={}).get_data(as_text=True)
    assert "Nhập họ và tên" in empty and "Nhập số điện thoại" not in empty  # the phone is optional


def test_a_wrong_answer_keeps_the_other_answers(client, full_procedure):
    client.post(f"/thu-tuc/{full_procedure.slug}/nop-ho-so", data=DETAILS)
    page = client.post("/nop-ho-so/cau-hoi", data=dict(ANSWERS, birth_date="31/02/2026", copies="hai"))
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "Ngày chưa đúng" in html and "Nhập một số" in html and 'value="Lò Văn Minh"' in html
    future = client.post("/nop-ho-so/cau-hoi", data=dict(ANSWERS, birth_date="2999-01-01"))
    assert "ở tương lai" in future.get_data(as_text=True)
    assert client.post("/nop-ho-so/cau-hoi", data=dict(ANSWERS, birth_date="01/03/2026")).status_code == 302
    assert only_dossier().form_data["birth_date"] == "2026-03-01"


def test_postal_return_needs_a_full_address(client, full_procedure):
    fill_draft(client, full_procedure, postal=False)
    page = client.post("/nop-ho-so/nhan-ket-qua", data={"result_method": "post", "delivery_name": "",
                                                        "delivery_phone": "", "delivery_village": "",
                                                        "delivery_address": "", "delivery_note": "x"})
    html = page.get_data(as_text=True)
    assert page.status_code == 422 and "Nhập địa chỉ nhận" in html and "Nhập tên người nhận" in html


def test_the_change_link_returns_to_the_check_page(client, full_procedure):
    fill_draft(client, full_procedure)
    page = client.get(f"/thu-tuc/{full_procedure.slug}/nop-ho-so?tu=kiem-tra").get_data(as_text=True)
    assert 'value="Lò Thị Hoa"' in page and "Quay lại trang kiểm tra" in page
    response = client.post(f"/thu-tuc/{full_procedure.slug}/nop-ho-so?tu=kiem-tra",
                           data=dict(DETAILS, full_name="Lò Thị Hoa Mai"))
    assert response.location == "/nop-ho-so/kiem-tra"
    assert only_dossier().applicant_name == "Lò Thị Hoa Mai"
    assert db.session.scalar(sa.select(sa.func.count(Dossier.id))) == 1  # the same draft, not a new one


def test_the_submit_waits_for_every_required_part(client, full_procedure):
    client.post(f"/thu-tuc/{full_procedure.slug}/nop-ho-so", data=DETAILS)
    check = client.get("/nop-ho-so/kiem-tra").get_data(as_text=True)
    assert "Hồ sơ còn thiếu" in check and "Chưa trả lời: Họ tên của trẻ" in check and "Chưa có ảnh" in check
    page = client.post("/nop-ho-so/nop", data={"submit_key": submit_key(client), "declaration": "y"})
    assert page.status_code == 422 and only_dossier().status == "draft"


def test_the_declaration_must_be_ticked(client, full_procedure):
    fill_draft(client, full_procedure)
    page = client.post("/nop-ho-so/nop", data={"submit_key": submit_key(client)})
    assert page.status_code == 422 and "Đánh dấu vào ô cam đoan" in page.get_data(as_text=True)
    assert only_dossier().status == "draft"


def test_the_honeypot_stops_bots_from_making_drafts(client, full_procedure):
    response = client.post(f"/thu-tuc/{full_procedure.slug}/nop-ho-so", data=dict(DETAILS, website="spam"))
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Dossier.id))) == 0


def test_steps_without_a_draft_explain_how_to_continue(client, app):
    response = client.get("/nop-ho-so/anh-giay-to")
    assert response.location == "/nop-ho-so/khong-tim-thay"
    page = client.get(response.location)
    assert page.status_code == 404 and "đường dẫn làm tiếp" in page.get_data(as_text=True)


def test_an_iphone_heic_photo_sent_as_is_is_converted_on_the_server(client, plain_procedure):
    client.post(f"/thu-tuc/{plain_procedure.slug}/nop-ho-so", data=DETAILS)
    response = upload(client, 0, images.heic(), "IMG_0001.HEIC")
    assert response.status_code == 201
    row = only_dossier().files[0]
    assert row.mime == "image/jpeg" and row.original_name == "IMG_0001.HEIC"
    assert client.get(f"/tep/{row.id}").data[:2] == b"\xff\xd8"
