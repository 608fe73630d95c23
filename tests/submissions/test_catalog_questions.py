"""The most used procedures ask their own questions, from the catalog's form_fields."""
import pytest
import sqlalchemy as sa

from commune.catalog.models import Procedure
from commune.dossiers.questions import FIELD_TYPES, usable_fields
from commune.extensions import db
from commune.submissions.forms import build_fields_form
from tests.journeys import DETAILS

WITH_QUESTIONS = ("dang-ky-khai-sinh", "dang-ky-khai-tu", "dang-ky-ket-hon",
                  "cap-giay-xac-nhan-tinh-trang-hon-nhan", "cap-ban-sao-trich-luc-ho-tich",
                  "chung-thuc-ban-sao-tu-ban-chinh", "chung-thuc-chu-ky")


@pytest.mark.parametrize("slug", WITH_QUESTIONS)
def test_each_common_procedure_has_well_formed_questions(catalog, slug):
    entry = next(p for p in catalog["procedures"] if p["slug"] == slug)
    specs = entry["form_fields"]
    assert specs and usable_fields(specs) == specs  # nothing is silently dropped
    for spec in specs:
        assert spec["type"] in FIELD_TYPES and spec["label"]
    form = build_fields_form(specs)
    assert all(hasattr(form, spec["name"]) for spec in specs)


def test_a_villager_answers_the_birth_registration_questions(client, catalog):
    procedure = db.session.scalar(sa.select(Procedure).where(Procedure.slug == "dang-ky-khai-sinh"))
    assert procedure.online

    client.post("/thu-tuc/dang-ky-khai-sinh/nop-ho-so", data=DETAILS)
    page = client.get("/nop-ho-so/cau-hoi").get_data(as_text=True)
    assert "Họ, chữ đệm và tên của trẻ" in page and "Dân tộc của trẻ" in page
    response = client.post("/nop-ho-so/cau-hoi", data={
        "child_name": "Lò Văn Minh", "child_sex": "Nam", "child_birth_date": "2026-10-01",
        "child_birth_place": "Trạm y tế xã", "child_ethnicity": "Thái", "mother_name": "Lò Thị Hoa",
        "relationship": "Cha hoặc mẹ"})
    assert response.status_code == 302 and response.location == "/nop-ho-so/anh-giay-to"
    photos = client.get(response.location).get_data(as_text=True)
    assert "Giấy chứng sinh" in photos
