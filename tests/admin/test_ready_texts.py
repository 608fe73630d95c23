"""The admin keeps the ready-made texts the clerk picks (supplement requests and refusals)."""
import sqlalchemy as sa

from commune.core.audit import AuditEntry
from commune.extensions import db
from commune.inbox.ready_texts import DEFAULTS, ReadyText, load_defaults
from tests.factories import make_dossier, make_procedure


def test_the_admin_adds_a_text_for_one_procedure_and_the_clerk_gets_it(client, admin, login_as, app):
    procedure = make_procedure(name="Đăng ký kết hôn thử")
    db.session.commit()
    page = client.get("/quan-tri/mau-cau").get_data(as_text=True)
    assert "Mẫu câu yêu cầu bổ sung, từ chối" in page and "Chưa có mẫu câu nào." in page

    form = client.get("/quan-tri/mau-cau/moi?loai=refuse").get_data(as_text=True)
    assert '<option selected value="refuse">' in form or 'value="refuse" selected' in form
    response = client.post("/quan-tri/mau-cau/moi", data={
        "kind": "supplement", "procedure": str(procedure.id), "title": "Thiếu xác nhận tình trạng hôn nhân",
        "body": "Ông/bà vui lòng gửi Giấy xác nhận tình trạng hôn nhân còn hạn.", "position": "1"})
    assert response.status_code == 302
    text = db.session.scalar(sa.select(ReadyText))
    assert (text.kind, text.procedure_id, text.position) == ("supplement", procedure.id, 1)
    listing = client.get("/quan-tri/mau-cau").get_data(as_text=True)
    assert "Thiếu xác nhận tình trạng hôn nhân" in listing and "Đăng ký kết hôn thử" in listing
    assert db.session.scalar(sa.select(AuditEntry.action).where(AuditEntry.action == "ready_text.create"))

    client.get("/dang-xuat")
    login_as("clerk")
    dossier = make_dossier(procedure, "submitted")
    db.session.commit()
    assert "Thiếu xác nhận tình trạng hôn nhân" in client.get(f"/hop-thu/ho-so/{dossier.id}").get_data(as_text=True)


def test_the_admin_edits_and_deletes_a_text_and_the_log_keeps_what_it_said(client, admin):
    text = ReadyText(kind="refuse", title="Nộp trùng", body="Trùng hồ sơ.")
    db.session.add(text)
    db.session.commit()
    page = client.get(f"/quan-tri/mau-cau/{text.id}").get_data(as_text=True)
    assert "Trùng hồ sơ." in page
    response = client.post(f"/quan-tri/mau-cau/{text.id}", data={
        "kind": "refuse", "procedure": "", "title": "Hồ sơ nộp trùng", "body": "Hồ sơ trùng với hồ sơ đang giải quyết.",
        "position": "0"})
    assert response.status_code == 302
    db.session.refresh(text)
    assert text.title == "Hồ sơ nộp trùng" and text.procedure_id is None
    response = client.post(f"/quan-tri/mau-cau/{text.id}/xoa")
    assert "Đã xóa mẫu câu “Hồ sơ nộp trùng”." in client.get(response.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReadyText)) == 0
    deleted = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "ready_text.delete"))
    assert deleted.changes["body"]["before"] == "Hồ sơ trùng với hồ sơ đang giải quyết."


def test_a_bad_text_is_refused_in_vietnamese_and_what_was_typed_stays(client, admin):
    db.session.add(ReadyText(kind="supplement", title="Ảnh mờ", body="Chụp lại."))
    db.session.commit()
    response = client.post("/quan-tri/mau-cau/moi", data={
        "kind": "supplement", "procedure": "", "title": "  ảnh mờ ", "body": "Nội dung mới của tôi", "position": "0"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Đã có mẫu câu tên “ảnh mờ” cho loại và thủ tục này." in page
    assert "Nội dung mới của tôi" in page
    response = client.post("/quan-tri/mau-cau/moi", data={
        "kind": "supplement", "procedure": "99999", "title": "Mới", "body": "", "position": "0"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Ghi nội dung mẫu câu." in page and "Chọn một thủ tục trong danh sách." in page
    assert client.post("/quan-tri/mau-cau/moi", data={"kind": "x", "procedure": "abc"}).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReadyText)) == 1


def test_staff_other_than_the_admin_cannot_open_the_list(client, login_as):
    login_as("clerk")
    assert client.get("/quan-tri/mau-cau").status_code == 403


def test_the_default_list_is_commune_wide_for_both_forms(app):
    added = load_defaults()
    db.session.commit()
    texts = db.session.scalars(sa.select(ReadyText)).all()
    assert added == len(DEFAULTS) == len(texts) >= 6
    assert {t.kind for t in texts} == {"supplement", "refuse"}
    assert all(t.procedure_id is None and t.body for t in texts)


def test_setup_loads_the_default_texts_once(app, runner):
    """`flask setup` on a fresh machine fills the list; run again, it keeps the admin's list."""
    from tests.conftest import PG_URL, reset_pg_schema
    from tests.foundation.test_cli import _drop_everything

    _drop_everything()
    try:
        result = runner.invoke(args=["setup"])
        assert result.exit_code == 0, result.output
        assert f"ready texts loaded: {len(DEFAULTS)}" in result.output
        db.session.execute(sa.delete(ReadyText).where(ReadyText.title == DEFAULTS[0][1]))
        db.session.commit()
        result = runner.invoke(args=["setup"])
        assert "ready texts loaded" not in result.output
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ReadyText)) == len(DEFAULTS) - 1
    finally:
        if PG_URL:
            _drop_everything()
            reset_pg_schema()
