"""A fee computed from the answers: the rule in the catalog, the count asked on the form, the amount on
the receipt, the VietQR and the post's collect-on-delivery, and the clerk's logged correction."""
import io

import pytest
import sqlalchemy as sa

from commune.catalog.loader import CatalogError, read_catalog, validate
from commune.catalog.models import Procedure
from commune.core.timeutil import utcnow
from commune.dossiers.fees import compute_fee
from commune.dossiers.models import Dossier, DossierEvent
from commune.extensions import db
from commune.payments.presenters import fee_box
from commune.payments.services import confirm_payment
from commune.postal.forms import manifest_form
from commune.postal.services import create_manifest
from tests.factories import jpeg_bytes, make_procedure, make_user, ready_by_post
from tests.journeys import DETAILS, counter_applicant, procedure_data, submit_key, upload
from tests.payments.vietqr_reader import decode
from tests.photos import images

PER_PAGE = {"fee_vnd": 2000, "fee_unit": "trang", "fee_count": "copies, pages", "fee_min_vnd": None,
            "fee_max_vnd": None}


@pytest.mark.parametrize("answers, amount", [
    ({"copies": 3}, 6000),                 # 3 copies of a one-page paper (pages left blank)
    ({"copies": 3, "pages": 2}, 12000),    # 3 copies of a two-page paper
    ({}, 2000),                            # nothing counted: one unit
    ({"copies": 0, "pages": None}, 2000),  # 0 is not fewer than one
])
def test_the_amount_is_the_fee_times_the_counted_units(answers, amount):
    assert compute_fee(PER_PAGE, answers) == amount


def test_the_bounds_hold_the_amount():
    rule = dict(PER_PAGE, fee_min_vnd=5000, fee_max_vnd=200000)
    assert compute_fee(rule, {"copies": 1}) == 5000
    assert compute_fee(rule, {"copies": 3}) == 6000
    assert compute_fee(rule, {"copies": 50, "pages": 10}) == 200000


def test_free_and_unknown_fees_stay_so():
    assert compute_fee(dict(PER_PAGE, fee_vnd=0), {"copies": 3}) == 0
    assert compute_fee(dict(PER_PAGE, fee_vnd=None), {"copies": 3}) is None
    assert compute_fee({"fee_vnd": 8000}, {"copies": 3}) == 8000  # a snapshot from before fee rules


def test_the_shipped_catalog_counts_per_unit_fees():
    procedures = {p["code"]: p for p in read_catalog()["procedures"]}
    assert procedures["2.000815"]["fee_count"] == "copies, pages"  # chứng thực bản sao: 2.000 đ/trang
    assert procedures["2.000635"]["fee_count"] == "copies"  # bản sao trích lục: 8.000 đ/bản sao
    assert procedures["2.000884"]["fee_count"] == "copies"  # chứng thực chữ ký: 10.000 đ/trường hợp


def test_the_loader_refuses_a_rule_that_counts_no_number_question():
    data = read_catalog()
    entry = next(p for p in data["procedures"] if p["code"] == "2.000815")
    entry["fee_count"] = "document_name"
    with pytest.raises(CatalogError, match="not a number question"):
        validate(data)
    entry["fee_count"], entry["fee_min_vnd"], entry["fee_max_vnd"] = "copies", 9000, 1000
    with pytest.raises(CatalogError, match="above"):
        validate(data)


def _submit_online(client, procedure, answers):
    assert client.post(f"/thu-tuc/{procedure.slug}/nop-ho-so", data=DETAILS).status_code == 302
    response = client.post("/nop-ho-so/cau-hoi", data=answers)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    for index, doc in enumerate(procedure.documents):
        if doc.required and not doc.online_form:
            assert upload(client, index, images.jpeg()).status_code == 201
    assert client.post("/nop-ho-so/anh-giay-to").status_code == 302
    assert client.post("/nop-ho-so/nhan-ket-qua", data={"result_method": "office"}).status_code == 302
    done = client.post("/nop-ho-so/nop", data={"submit_key": submit_key(client), "declaration": "y"})
    assert done.status_code == 302, done.get_data(as_text=True)[:3000]
    return client.get(done.location)


def test_three_copies_online_owe_three_times_the_fee(client, catalog, account):
    procedure = db.session.scalar(sa.select(Procedure).filter_by(code="2.000635"))  # 8.000 đ/bản sao
    receipt = _submit_online(client, procedure, {
        "record_type": "Khai sinh", "person_name": "Lò Văn Minh", "registered_at": "UBND xã Mẫu",
        "relationship": "Chính tôi", "copies": "3"})
    html = receipt.get_data(as_text=True)
    dossier = db.session.scalar(sa.select(Dossier).where(Dossier.code.isnot(None)))
    assert dossier.fee_vnd == 24000
    assert "24.000 đ" in html and "3 bản sao × 8.000 đ" in html
    assert decode(fee_box(dossier).qr.payload)["amount"] == 24000


def test_three_copies_at_the_counter_owe_6000(client, catalog, login_as):
    procedure = db.session.scalar(sa.select(Procedure).filter_by(code="2.000815"))  # 2.000 đ/trang
    login_as("clerk")
    data = counter_applicant(**{"f-document_name": "Bằng tốt nghiệp", "f-copies": "3"})
    data["paper_seen"] = [str(i) for i in range(len(procedure.documents))]
    data["doc-0"] = (io.BytesIO(jpeg_bytes()), "ban-chinh.jpg")
    response = client.post(f"/hop-thu/tiep-nhan-tai-quay?thu_tuc={procedure.id}", data=data,
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    dossier = db.session.scalar(sa.select(Dossier).filter_by(applicant_name="Hoàng Văn Đến Quầy"))
    assert dossier.fee_vnd == 6000
    assert "6.000 đ" in client.get(response.location).get_data(as_text=True)  # Form 01


def test_the_post_collects_the_computed_amount_and_nothing_once_paid(app, login_as):
    clerk = make_user("clerk")
    unpaid = ready_by_post(fee=6000)
    paid = ready_by_post(fee=6000, name="Đã chuyển khoản")
    confirm_payment(paid, clerk, "transfer", 6000, "FT-1")
    form = manifest_form([unpaid, paid])(formdata=None)
    assert form[f"fee_{unpaid.id}"].data == 6000 and form[f"fee_{paid.id}"].data == 0
    manifest = create_manifest([unpaid, paid], clerk)
    assert [i.fee_vnd for i in manifest.items] == [6000, 0]


def test_the_clerk_corrects_the_fee_before_receiving_with_a_reason(client, login_as, owing):
    dossier = owing(fee=2000, status="submitted")
    login_as("clerk")
    page = client.get(f"/hop-thu/ho-so/{dossier.id}").get_data(as_text=True)
    assert "Điều chỉnh lệ phí" in page
    missing = client.post(f"/hop-thu/ho-so/{dossier.id}/le-phi", data={"amount": "7000", "reason": ""})
    assert missing.status_code == 400 and "Ghi lý do điều chỉnh lệ phí." in missing.get_data(as_text=True)
    response = client.post(f"/hop-thu/ho-so/{dossier.id}/le-phi",
                           data={"amount": "7000", "reason": "Giấy tờ 5 trang, từ trang 3 tính 1.000 đ"})
    assert response.status_code == 302
    assert db.session.get(Dossier, dossier.id).fee_vnd == 7000
    event = db.session.scalar(sa.select(DossierEvent).filter_by(dossier_id=dossier.id, kind="fee_corrected"))
    assert "2.000 đ" in event.note and "7.000 đ" in event.note and "5 trang" in event.note
    timeline = client.get(f"/hop-thu/ho-so/{dossier.id}").get_data(as_text=True)
    assert "Điều chỉnh lệ phí" in timeline and "Giấy tờ 5 trang" in timeline


def test_after_receiving_the_fee_stays_as_received(client, login_as, owing):
    dossier = owing(fee=2000, status="received", received_at=utcnow())
    login_as("clerk")
    response = client.post(f"/hop-thu/ho-so/{dossier.id}/le-phi", data={"amount": "7000", "reason": "Sai"})
    assert response.status_code == 409
    assert "Chỉ điều chỉnh lệ phí trước khi tiếp nhận hồ sơ." in response.get_data(as_text=True)
    assert db.session.get(Dossier, dossier.id).fee_vnd == 2000


def test_the_admin_sets_the_fee_rule_on_the_procedure_form(client, login_as):
    questions = [{"name": "copies", "label": "Số bản", "type": "number"},
                 {"name": "document_name", "label": "Tên giấy tờ", "type": "text"}]
    procedure = make_procedure(fee_vnd=2000, fee_unit="trang", form_fields=questions)
    db.session.commit()
    login_as("admin")
    url = f"/quan-tri/thu-tuc/{procedure.id}"
    assert "Câu hỏi đếm số đơn vị tính phí" in client.get(url).get_data(as_text=True)
    wrong = client.post(url, data=procedure_data(procedure, fee_count="document_name"))
    assert wrong.status_code == 400 and "Không có câu hỏi kiểu Số mang mã: document_name" in wrong.get_data(
        as_text=True)
    saved = client.post(url, data=procedure_data(procedure, fee_count="copies", fee_min_vnd="2000",
                                                 fee_max_vnd="200000"))
    assert saved.status_code == 302, saved.get_data(as_text=True)[:3000]
    procedure = db.session.get(Procedure, procedure.id)
    assert (procedure.fee_count, procedure.fee_min_vnd, procedure.fee_max_vnd) == ("copies", 2000, 200000)
