"""Online, the answers to a procedure's questions are its declaration form (tờ khai): the villager
is not asked to print one and photograph it. At the counter, the paper form is still the paper."""
import json

import sqlalchemy as sa

from commune.dossiers.models import Dossier
from commune.extensions import db
from tests.factories import make_procedure
from tests.journeys import ANSWERS, DETAILS, POSTAL, QUESTIONS, counter_applicant, procedure_data, submit_key, upload
from tests.photos import images


def declared_procedure(questions=QUESTIONS):
    procedure = make_procedure(name="Đăng ký khai sinh (thử)", form_fields=questions,
                               documents=("Tờ khai đăng ký khai sinh", "Giấy chứng sinh"))
    procedure.documents[0].online_form = True
    db.session.commit()
    return procedure


def test_an_online_villager_sends_no_photo_of_the_declaration(client, app):
    procedure = declared_procedure()
    assert client.post(f"/thu-tuc/{procedure.slug}/nop-ho-so", data=DETAILS).status_code == 302
    assert client.post("/nop-ho-so/cau-hoi", data=ANSWERS).status_code == 302
    photos = client.get("/nop-ho-so/anh-giay-to").get_data(as_text=True)
    assert "Đã khai trực tuyến" in photos and "Không cần chụp tờ khai" in photos
    assert upload(client, 1, images.jpeg()).status_code == 201  # the birth certificate only
    assert client.post("/nop-ho-so/anh-giay-to").status_code == 302
    assert client.post("/nop-ho-so/nhan-ket-qua", data=POSTAL).status_code == 302
    response = client.post("/nop-ho-so/nop", data={"submit_key": submit_key(client), "declaration": "y"})
    assert response.status_code == 302
    dossier = db.session.scalar(sa.select(Dossier).where(Dossier.status == "submitted"))
    assert dossier.form_data["child_name"] == "Lò Văn Minh"
    assert dossier.procedure_snapshot["documents"][0]["online_form"] is True


def test_the_other_documents_are_still_required(client, app):
    procedure = declared_procedure()
    client.post(f"/thu-tuc/{procedure.slug}/nop-ho-so", data=DETAILS)
    client.post("/nop-ho-so/cau-hoi", data=ANSWERS)
    missing = client.post("/nop-ho-so/anh-giay-to")
    html = missing.get_data(as_text=True)
    assert missing.status_code == 422 and "ít nhất một ảnh" in html
    assert html.count('class="doc-part panel has-error"') == 1  # the birth certificate, not the form


def test_without_questions_the_declaration_must_be_photographed(client, app):
    procedure = declared_procedure(questions=[])
    client.post(f"/thu-tuc/{procedure.slug}/nop-ho-so", data=DETAILS)
    upload(client, 1, images.jpeg())
    response = client.post("/nop-ho-so/anh-giay-to")
    assert response.status_code == 422  # nothing online stands in for the paper form


def test_the_clerk_sees_the_declaration_was_made_online(client, app, login_as):
    procedure = declared_procedure()
    client.post(f"/thu-tuc/{procedure.slug}/nop-ho-so", data=DETAILS)
    client.post("/nop-ho-so/cau-hoi", data=ANSWERS)
    upload(client, 1, images.jpeg())
    client.post("/nop-ho-so/anh-giay-to")
    client.post("/nop-ho-so/nhan-ket-qua", data=POSTAL)
    client.post("/nop-ho-so/nop", data={"submit_key": submit_key(client), "declaration": "y"})
    dossier = db.session.scalar(sa.select(Dossier).where(Dossier.status == "submitted"))
    clerk = app.test_client()
    login_as("clerk", client_=clerk)
    html = clerk.get(f"/hop-thu/ho-so/{dossier.id}").get_data(as_text=True)
    assert "Khai trực tuyến thay cho tờ khai" in html and "Lò Văn Minh" in html


def test_at_the_counter_the_paper_declaration_is_still_needed(client, login_as, app):
    procedure = declared_procedure()
    login_as("clerk")
    response = client.post(f"/hop-thu/tiep-nhan-tai-quay?thu_tuc={procedure.id}",
                           data=counter_applicant(paper_seen="1"), content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "cho: Tờ khai đăng ký khai sinh." in html and "cho: Giấy chứng sinh." not in html


def test_the_procedure_page_says_online_needs_no_paper_form(client, app):
    procedure = declared_procedure()
    html = client.get(f"/thu-tuc/{procedure.slug}").get_data(as_text=True)
    assert "Nộp trực tuyến thì không cần" in html


def test_the_admin_marks_a_document_as_answered_online_and_it_is_exported(client, login_as, app):
    procedure = make_procedure(name="Cấp bản sao trích lục (thử)", form_fields=QUESTIONS[:1],
                               documents=("Tờ khai", "Giấy tờ tùy thân"))
    db.session.commit()
    login_as("admin")
    page = client.get(f"/quan-tri/thu-tuc/{procedure.id}").get_data(as_text=True)
    assert 'name="documents-0-online_form"' in page
    data = procedure_data(procedure, **{"documents-0-online_form": "y"})
    response = client.post(f"/quan-tri/thu-tuc/{procedure.id}", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    procedure = db.session.get(type(procedure), procedure.id)
    assert [d.online_form for d in procedure.documents] == [True, False] and procedure.version == 2
    # Saved again as the page now shows it, nothing changes.
    client.post(f"/quan-tri/thu-tuc/{procedure.id}", data=procedure_data(procedure))
    assert db.session.get(type(procedure), procedure.id).version == 2
    exported = json.loads(client.get("/quan-tri/danh-muc/xuat").get_data(as_text=True))
    entry = next(p for p in exported["procedures"] if p["slug"] == procedure.slug)
    assert [d["online_form"] for d in entry["documents"]] == [True, False]


def test_the_shipped_catalog_marks_the_civil_status_declarations(app):
    from commune.catalog.loader import read_catalog

    data = read_catalog()
    marked = {p["slug"] for p in data["procedures"] if any(d.get("online_form") for d in p["documents"])}
    assert {"dang-ky-khai-sinh", "dang-ky-khai-tu", "dang-ky-ket-hon"} <= marked
    assert all(p.get("form_fields") for p in data["procedures"] if p["slug"] in marked)


def test_a_catalog_file_with_a_malformed_online_form_flag_is_refused_whole(app):
    import pytest

    from commune.catalog.loader import CatalogError, read_catalog, validate

    data = read_catalog()
    data["procedures"][0]["documents"][0]["online_form"] = "có"
    with pytest.raises(CatalogError, match="online_form"):
        validate(data)
