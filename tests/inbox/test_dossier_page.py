"""The dossier page: photos by required document and round, the viewer, the printed slips."""
from commune.dossiers.attachments import attach_file
from commune.extensions import db
from tests.factories import jpeg_bytes
from tests.journeys import act


def test_photos_are_grouped_by_document_with_new_supplement_pages_marked(client, login_as, dossier_in):
    login_as("clerk")
    dossier = dossier_in("received", supplement_count=1, has_new_supplement=True,
                         form_data={"ten_tre": "Bé An"})
    first = attach_file(dossier, jpeg_bytes(), "giay-chung-sinh.jpg", document_index=1, round=0)
    newer = attach_file(dossier, jpeg_bytes() + b"", "giay-chung-sinh-ro.jpg", document_index=1, round=1)
    db.session.commit()
    html = client.get(f"/hop-thu/ho-so/{dossier.id}").get_data(as_text=True)
    assert "Giấy chứng sinh" in html
    assert "Mới bổ sung (lần 1)" in html
    assert "Các bản trước" in html  # the first version is still there
    assert f"/hop-thu/ho-so/{dossier.id}/anh/{newer.id}" in html
    assert f"/hop-thu/ho-so/{dossier.id}/anh/{first.id}" in html
    assert "Chưa có ảnh." in html  # the declaration has no photo yet
    assert "Bé An" in html


def test_viewer_zooms_and_rotates_without_javascript(client, login_as, dossier_in):
    login_as("officer")
    dossier = dossier_in("processing")
    page = attach_file(dossier, jpeg_bytes(), "trang.jpg", document_index=0)
    second = attach_file(dossier, jpeg_bytes(), "trang2.jpg", document_index=1)
    db.session.commit()
    html = client.get(f"/hop-thu/ho-so/{dossier.id}/anh/{page.id}?z=2&r=90").get_data(as_text=True)
    assert "viewer-img zoom-2 rot-90" in html
    assert f"/tep/{page.id}" in html  # full size through the checked file view
    assert f"/hop-thu/ho-so/{dossier.id}/anh/{second.id}" in html  # next page
    assert "style=" not in html.split("<body")[1]
    html = client.get(f"/hop-thu/ho-so/{dossier.id}/anh/{page.id}?z=99&r=45").get_data(as_text=True)
    assert "viewer-img zoom-1 rot-0" in html
    other = dossier_in("processing")
    assert client.get(f"/hop-thu/ho-so/{other.id}/anh/{page.id}").status_code == 404


def test_result_file_is_kept_when_marking_ready(client, login_as, dossier_in):
    import io

    login_as("officer")
    dossier = dossier_in("processing")
    response = act(client, dossier, "ready", {"note": "Đã ký", "result": (io.BytesIO(jpeg_bytes()), "kq.jpg")},
                   content_type="multipart/form-data")
    assert response.status_code == 302
    files = [f for f in db.session.get(type(dossier), dossier.id).files if f.purpose == "result"]
    assert len(files) == 1 and files[0].round == -1


def test_process_control_sheet_shows_every_step_with_times_and_hands(client, login_as, dossier_in):
    login_as("clerk")
    dossier = dossier_in("submitted")
    act(client, dossier, "receive")
    dossier = db.session.get(type(dossier), dossier.id)
    act(client, dossier, "start")
    html = client.get(f"/hop-thu/ho-so/{dossier.id}/in/phieu-kiem-soat").get_data(as_text=True)
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in html
    assert "Chờ tiếp nhận → Đã tiếp nhận" in html and "Đã tiếp nhận → Đang xử lý" in html
    assert "<svg" in html and "Mẫu số 06" in html


def test_slips_that_do_not_apply_are_not_found(client, login_as, dossier_in):
    login_as("clerk")
    dossier = dossier_in("submitted")
    for slip in ("tiep-nhan", "bo-sung", "tu-choi", "xin-loi"):
        assert client.get(f"/hop-thu/ho-so/{dossier.id}/in/{slip}").status_code == 404


def test_drafts_are_not_in_the_inbox(client, login_as, dossier_in):
    login_as("admin")
    draft = dossier_in("draft")
    assert client.get(f"/hop-thu/ho-so/{draft.id}").status_code == 404
    assert client.get("/hop-thu/ho-so/999999").status_code == 404
