"""Fixtures for the submission journey: procedures with and without optional steps, a journey walker."""
import io
import re

import pytest

from commune.extensions import db
from tests.factories import make_procedure
from tests.photos import images

QUESTIONS = [
    {"name": "child_name", "label": "Họ tên của trẻ", "type": "text", "required": True},
    {"name": "birth_date", "label": "Ngày sinh", "type": "date", "required": True, "past": True},
    {"name": "sex", "label": "Giới tính", "type": "choice", "required": True, "choices": ["Nam", "Nữ"]},
    {"name": "twins", "label": "Sinh đôi?", "type": "yesno", "required": False},
    {"name": "copies", "label": "Số bản sao", "type": "number", "required": False},
    {"name": "note", "label": "Ghi chú", "type": "textarea", "required": False, "help": "Nếu cần"},
]

DETAILS = {
    "full_name": "Lò Thị Hoa", "phone": "+84 912 345 678", "id_number": "0011 9500 4567",
    "village": "Bản Nà Cang", "address": "Xã Mẫu, tỉnh Lào Cai", "email": "",
}
ANSWERS = {"child_name": "Lò Văn Minh", "birth_date": "2026-03-01", "sex": "Nam", "twins": "no", "copies": "2"}
POSTAL = {
    "result_method": "post", "delivery_name": "Lò Thị Hoa", "delivery_phone": "0912345678",
    "delivery_village": "Bản Nà Cang", "delivery_address": "Xã Mẫu", "delivery_note": "Gần trường",
}


@pytest.fixture
def full_procedure(app):
    """A birth-like procedure with questions, two required documents and one optional, return by post."""
    procedure = make_procedure(name="Đăng ký khai sinh (thử)", form_fields=QUESTIONS,
                               documents=("Tờ khai", "Giấy chứng sinh", "Văn bản ủy quyền"), fee_vnd=8000)
    procedure.documents[2].required = False
    db.session.commit()
    return procedure


@pytest.fixture
def plain_procedure(app):
    """A procedure without questions or postal return: the journey skips those steps."""
    procedure = make_procedure(name="Chứng thực (thử)", documents=("Bản chính",), postal=False)
    db.session.commit()
    return procedure


def upload(client, part, data, name="trang.jpg", script=True):
    """Post one file to the draft's upload endpoint, as upload.js (script=True) or the plain form."""
    headers = {"X-Requested-With": "XMLHttpRequest"} if script else {}
    return client.post(f"/nop-ho-so/anh-giay-to/{part}/tai-len", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", headers=headers)


def submit_key(client):
    """Open the check page and read its idempotency key."""
    page = client.get("/nop-ho-so/kiem-tra")
    assert page.status_code == 200
    return re.search(r'name="submit_key" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(1)


def fill_draft(client, procedure, questions=True, postal=True):
    """Walk the journey up to the check page; returns the page."""
    response = client.post(f"/thu-tuc/{procedure.slug}/nop-ho-so", data=DETAILS)
    assert response.status_code == 302, response.get_data(as_text=True)
    if questions:
        assert client.post("/nop-ho-so/cau-hoi", data=ANSWERS).status_code == 302
    for index, doc in enumerate(procedure.documents):
        if doc.required:
            assert upload(client, index, images.jpeg()).status_code == 201
    assert client.post("/nop-ho-so/anh-giay-to").status_code == 302
    if postal:
        assert client.post("/nop-ho-so/nhan-ket-qua", data=POSTAL).status_code == 302
    return client.get("/nop-ho-so/kiem-tra")
