"""The admin edits the catalog; dossiers already submitted keep the procedure as it was."""
import io
import json
import zipfile

import sqlalchemy as sa

from commune.catalog.models import BlankForm, Procedure
from commune.core.audit import AuditEntry
from commune.extensions import db
from tests.factories import make_dossier, make_procedure
from tests.journeys import procedure_data


def test_editing_a_procedure_keeps_old_dossiers_snapshot(client, admin):
    procedure = make_procedure(name="Cấp bản sao trích lục", processing_days=3)
    dossier = make_dossier(procedure)
    db.session.commit()
    before = dict(dossier.procedure_snapshot)
    response = client.post(f"/quan-tri/thu-tuc/{procedure.id}",
                           data=procedure_data(procedure, name="Cấp bản sao trích lục hộ tịch",
                                               processing_days="5", fee_vnd="8000"))
    assert response.status_code == 302
    procedure = db.session.get(Procedure, procedure.id)
    assert (procedure.name, procedure.processing_days, procedure.fee_vnd, procedure.version) == (
        "Cấp bản sao trích lục hộ tịch", 5, 8000, 2)
    dossier = db.session.get(type(dossier), dossier.id)
    assert dossier.procedure_snapshot == before
    assert dossier.procedure_snapshot["name"] == "Cấp bản sao trích lục"
    entry = db.session.scalars(sa.select(AuditEntry).filter_by(action="procedure.update")).one()
    assert entry.changes["name"]["after"] == "Cấp bản sao trích lục hộ tịch"
    assert "Cấp bản sao trích lục hộ tịch" in client.get("/quan-tri/nhat-ky").get_data(as_text=True)


def test_saving_without_changes_keeps_the_version(client, admin):
    procedure = make_procedure()
    db.session.commit()
    client.post(f"/quan-tri/thu-tuc/{procedure.id}", data=procedure_data(procedure))
    assert db.session.get(Procedure, procedure.id).version == 1


def test_required_documents_and_form_fields_are_edited(client, admin):
    procedure = make_procedure(documents=("Tờ khai",))
    db.session.commit()
    data = procedure_data(procedure, **{
        "documents-1-name": "Giấy chứng sinh", "documents-1-original_or_copy": "bản chính",
        "documents-1-count": "1", "documents-1-required": "y", "documents-1-hint": "Ảnh rõ cả trang",
        "form_fields-0-name": "ho_ten_tre", "form_fields-0-label": "Họ tên trẻ", "form_fields-0-type": "text",
        "form_fields-0-required": "y",
        "form_fields-1-name": "gioi_tinh", "form_fields-1-label": "Giới tính", "form_fields-1-type": "radio",
        "form_fields-1-choices": "Nam; Nữ",
    })
    assert client.post(f"/quan-tri/thu-tuc/{procedure.id}", data=data).status_code == 302
    procedure = db.session.get(Procedure, procedure.id)
    assert [d.name for d in procedure.documents] == ["Tờ khai", "Giấy chứng sinh"]
    assert procedure.documents[1].hint == "Ảnh rõ cả trang"
    assert procedure.form_fields == [
        {"name": "ho_ten_tre", "label": "Họ tên trẻ", "type": "text", "required": True},
        {"name": "gioi_tinh", "label": "Giới tính", "type": "radio", "required": False, "choices": ["Nam", "Nữ"]},
    ]
    page = client.get(f"/quan-tri/thu-tuc/{procedure.id}").get_data(as_text=True)
    assert "Xem trước mẫu nộp hồ sơ" in page and "Họ tên trẻ" in page


def test_preview_shows_the_form_without_saving(client, admin):
    procedure = make_procedure()
    db.session.commit()
    data = procedure_data(procedure, action="preview", **{
        "form_fields-0-name": "noi_sinh", "form_fields-0-label": "Nơi sinh của trẻ", "form_fields-0-type": "select",
        "form_fields-0-choices": "Bệnh viện; Tại nhà"})
    html = client.post(f"/quan-tri/thu-tuc/{procedure.id}", data=data).get_data(as_text=True)
    assert "Nơi sinh của trẻ" in html and "<option>Tại nhà</option>" in html
    assert db.session.get(Procedure, procedure.id).form_fields == []


def test_a_choice_question_needs_choices_and_unique_codes(client, admin):
    procedure = make_procedure()
    db.session.commit()
    data = procedure_data(procedure, **{
        "form_fields-0-name": "a", "form_fields-0-label": "A", "form_fields-0-type": "select",
        "form_fields-1-name": "a", "form_fields-1-label": "B", "form_fields-1-type": "text"})
    response = client.post(f"/quan-tri/thu-tuc/{procedure.id}", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Nhập ít nhất một lựa chọn." in html
    assert 'value="B"' in html  # what was typed is kept


def test_new_procedure_and_deactivation(client, admin):
    field_id = make_procedure().field_id
    db.session.commit()
    data = {"name": "Thủ tục mới", "slug": "thu-tuc-moi", "field_id": str(field_id), "processing_days": "2",
            "online_level": "một phần", "active": "y", "legal_basis": "Luật A\nNghị định B", "action": "save"}
    assert client.post("/quan-tri/thu-tuc/moi", data=data).status_code == 302
    procedure = db.session.scalar(sa.select(Procedure).filter_by(slug="thu-tuc-moi"))
    assert procedure.legal_basis == ["Luật A", "Nghị định B"] and procedure.online
    client.post(f"/quan-tri/thu-tuc/{procedure.id}/trang-thai")
    assert db.session.get(Procedure, procedure.id).active is False
    again = client.post("/quan-tri/thu-tuc/moi", data=data)
    assert again.status_code == 400 and "Đường dẫn này đã dùng" in again.get_data(as_text=True)


def test_fields_are_created_and_edited(client, admin):
    response = client.post("/quan-tri/linh-vuc/moi", data={"code": "moi-truong", "name": "Môi trường",
                                                            "position": "3", "active": "y"})
    assert response.status_code == 302
    assert "Môi trường" in client.get("/quan-tri/linh-vuc").get_data(as_text=True)
    bad = client.post("/quan-tri/linh-vuc/moi", data={"code": "Môi Trường", "name": "X"})
    assert "Chỉ dùng chữ thường" in bad.get_data(as_text=True)


def _docx():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def test_blank_forms_are_checked_by_content(app, client, admin):
    procedure = make_procedure()
    db.session.commit()
    url = f"/quan-tri/thu-tuc/{procedure.id}/mau-don"
    ok = client.post(url, data={"title": "Tờ khai đăng ký khai sinh",
                                "file": (io.BytesIO(b"%PDF-1.4\n% test\n"), "to-khai.pdf")})
    assert ok.status_code == 302
    docx = client.post(url, data={"title": "Tờ khai (Word)", "file": (io.BytesIO(_docx()), "to-khai.docx")})
    assert docx.status_code == 302
    fake = client.post(url, data={"title": "Giả", "file": (io.BytesIO(b"\x89PNG\r\n\x1a\nxxxx"), "gia.pdf")})
    assert fake.status_code == 400 and "Chỉ nhận tệp PDF, DOC hoặc DOCX." in fake.get_data(as_text=True)
    app.config["COMMUNE_BLANK_FORM_MB"] = 1
    big = client.post(url, data={"title": "Lớn", "file": (io.BytesIO(b"%PDF-" + b"0" * (1024 * 1024)), "lon.pdf")})
    assert big.status_code == 400 and "Tệp quá lớn" in big.get_data(as_text=True)
    forms = db.session.scalars(sa.select(BlankForm).order_by(BlankForm.id)).all()
    assert [(f.filename, f.mime) for f in forms] == [
        ("to-khai-dang-ky-khai-sinh.pdf", "application/pdf"),
        ("to-khai-word.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")]
    download = client.get(f"/quan-tri/mau-don/{forms[0].id}")
    assert download.data.startswith(b"%PDF-1.4")
    client.post(f"/quan-tri/mau-don/{forms[0].id}/xoa")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BlankForm)) == 1


def test_catalog_export_then_import_changes_nothing(client, admin, catalog):
    exported = client.get("/quan-tri/danh-muc/xuat")
    assert exported.mimetype == "application/json"
    data = json.loads(exported.data)
    assert len(data["procedures"]) == len(catalog["procedures"])
    assert set(data["procedures"][0]) >= {"code", "slug", "field", "name", "documents", "processing_days"}
    response = client.post("/quan-tri/danh-muc/nhap", data={"file": (io.BytesIO(exported.data), "c.json")},
                           follow_redirects=True)
    assert "0 thủ tục mới, 0 thủ tục cập nhật" in response.get_data(as_text=True)


def test_import_updates_a_procedure_and_rejects_a_bad_file(client, admin, catalog):
    data = json.loads(client.get("/quan-tri/danh-muc/xuat").data)
    data["procedures"][0]["processing_days"] = 9
    body = json.dumps(data, ensure_ascii=False).encode()
    response = client.post("/quan-tri/danh-muc/nhap", data={"file": (io.BytesIO(body), "c.json")},
                           follow_redirects=True)
    assert "1 thủ tục cập nhật" in response.get_data(as_text=True)
    procedure = db.session.scalar(sa.select(Procedure).filter_by(slug=data["procedures"][0]["slug"]))
    assert procedure.processing_days == 9 and procedure.version == 2
    data["procedures"][1]["field"] = "khong-co"
    bad = client.post("/quan-tri/danh-muc/nhap",
                      data={"file": (io.BytesIO(json.dumps(data).encode()), "c.json")})
    assert bad.status_code == 400 and "unknown field" in bad.get_data(as_text=True)
    junk = client.post("/quan-tri/danh-muc/nhap", data={"file": (io.BytesIO(b"{not json"), "c.json")})
    assert junk.status_code == 400 and "JSON" in junk.get_data(as_text=True)
