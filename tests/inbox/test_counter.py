"""Counter intake: a walk-in dossier is entered, received at once, and its receipt prints."""
import io

import sqlalchemy as sa

from commune.dossiers.models import Dossier, DossierEvent, DossierFile
from commune.extensions import db
from tests.factories import jpeg_bytes
from tests.journeys import counter_applicant, shown_key


def test_clerk_enters_walk_in_dossier_with_photo_and_paper_seen(client, login_as, procedure):
    clerk = login_as("clerk")
    page = client.get(f"/hop-thu/tiep-nhan-tai-quay?thu_tuc={procedure.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'capture="environment"' in html and "Đã xem bản giấy gốc" in html
    data = counter_applicant(paper_seen="1")
    data["doc-0"] = (io.BytesIO(jpeg_bytes()), "to-khai.jpg")
    response = client.post(f"/hop-thu/tiep-nhan-tai-quay?thu_tuc={procedure.id}", data=data,
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert "/in/tiep-nhan" in response.headers["Location"] and "print=1" in response.headers["Location"]
    dossier = db.session.scalar(sa.select(Dossier).filter_by(applicant_name="Hoàng Văn Đến Quầy"))
    assert dossier.status == "received" and dossier.channel == "counter"
    assert dossier.applicant_phone == "0912345678"
    assert dossier.received_at is not None and dossier.due_date is not None
    assert dossier.form_data["paper_seen"] == [1]
    assert "hoang van den quay" in dossier.search_text
    files = db.session.scalars(sa.select(DossierFile).filter_by(dossier_id=dossier.id)).all()
    assert [f.document_index for f in files] == [0]
    kinds = [(e.from_status, e.to_status, e.actor_id) for e in db.session.scalars(
        sa.select(DossierEvent).filter_by(dossier_id=dossier.id, kind="status").order_by(DossierEvent.id))]
    assert kinds == [("draft", "submitted", clerk.id), ("submitted", "received", clerk.id)]
    receipt = client.get(response.headers["Location"])
    html = receipt.get_data(as_text=True)
    assert 'data-autoprint="1"' in html and "GIẤY TIẾP NHẬN" in html
    # The walk-in villager's slip carries the key and its QR link (full access); the printed address does not.
    from commune.inbox.printables import qr_svg, tracking_url

    key = shown_key(html, dossier)  # shown once, right after intake: the database keeps only its hash
    assert str(qr_svg(tracking_url(dossier, with_key=True))) in html
    assert "?k=" not in html.replace(str(qr_svg(tracking_url(dossier, with_key=True))), "")
    assert f"?k={key}" not in html
    # A reprint later still carries the QR link (it opens the dossier), never the key itself.
    with client.session_transaction() as session:
        session.pop("desk_keys")
    again = client.get(response.headers["Location"]).get_data(as_text=True)
    assert key not in again and str(qr_svg(tracking_url(dossier, with_key=True))) in again
    assert "Mã tra cứu chỉ in trên giấy tiếp nhận lần đầu" in again


def test_counter_intake_needs_a_photo_or_paper_seen_for_each_required_document(client, login_as, procedure):
    login_as("clerk")
    response = client.post(f"/hop-thu/tiep-nhan-tai-quay?thu_tuc={procedure.id}",
                           data=counter_applicant(paper_seen="0"), content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Giấy chứng sinh" in html and "Hoàng Văn Đến Quầy" in html  # typed data kept
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Dossier)) == 0


def test_counter_intake_checks_phone_and_id(client, login_as, procedure):
    login_as("clerk")
    response = client.post(f"/hop-thu/tiep-nhan-tai-quay?thu_tuc={procedure.id}",
                           data=counter_applicant(**{"a-phone": "12345", "paper_seen": ["0", "1"]}),
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Số điện thoại chưa đúng" in response.get_data(as_text=True)


def test_dossier_brought_by_post_is_entered_with_channel_post(client, login_as, procedure):
    login_as("clerk")
    response = client.post(f"/hop-thu/tiep-nhan-tai-quay?thu_tuc={procedure.id}",
                           data=counter_applicant(**{"c-channel": "post", "paper_seen": ["0", "1"]}),
                           content_type="multipart/form-data")
    assert response.status_code == 302
    dossier = db.session.scalar(sa.select(Dossier))
    assert dossier.channel == "post" and dossier.status == "received"


def test_officer_cannot_use_counter_intake(client, login_as, procedure):
    login_as("officer")
    assert client.get("/hop-thu/tiep-nhan-tai-quay").status_code == 403


def test_counter_starts_by_choosing_the_procedure(client, login_as, procedure):
    login_as("clerk")
    html = client.get("/hop-thu/tiep-nhan-tai-quay").get_data(as_text=True)
    assert procedure.name in html


def test_a_walk_in_villager_without_a_phone_gets_a_slip_with_the_key_printed_large(client, login_as, procedure):
    login_as("clerk")
    response = client.post(f"/hop-thu/tiep-nhan-tai-quay?thu_tuc={procedure.id}",
                           data=counter_applicant(**{"a-phone": "", "paper_seen": ["0", "1"]}),
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    dossier = db.session.scalar(sa.select(Dossier))
    assert dossier.applicant_phone == "" and dossier.status == "received"
    slip = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f'<strong class="code big-code">{shown_key(slip, dossier)}</strong>' in slip
    assert "Mã tra cứu ở trên là cách duy nhất" in slip and "không có" in slip
    page = client.get(f"/hop-thu/ho-so/{dossier.id}").get_data(as_text=True)
    assert "Không có (chỉ mở bằng mã tra cứu)" in page


def test_a_village_officer_brings_a_dossier_for_someone_at_the_counter(client, login_as, procedure):
    login_as("clerk")
    form = client.get(f"/hop-thu/tiep-nhan-tai-quay?thu_tuc={procedure.id}").get_data(as_text=True)
    assert "Tôi nộp thay cho người khác" in form and 'name="a-helper_name"' in form
    data = counter_applicant(**{"a-phone": "", "a-for_someone": "y", "a-helper_name": "Vàng A Sùng",
                                "a-helper_phone": "0977 000 111", "a-helper_role": "village_officer",
                                "a-helper_relation": "trưởng bản", "paper_seen": ["0", "1"]})
    response = client.post(f"/hop-thu/tiep-nhan-tai-quay?thu_tuc={procedure.id}", data=data,
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    dossier = db.session.scalar(sa.select(Dossier))
    assert (dossier.helper_name, dossier.helper_phone, dossier.helper_role) == (
        "Vàng A Sùng", "0977000111", "village_officer")
    assert "vang a sung" in dossier.search_text  # the clerk finds it by the helper's name too
    slip = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Người nộp thay" in slip and "Vàng A Sùng" in slip and "trưởng bản" in slip
    assert "cách duy nhất" not in slip  # the helper's phone gets the notices
    page = client.get(f"/hop-thu/ho-so/{dossier.id}").get_data(as_text=True)
    assert "Người nộp thay" in page and "Cán bộ thôn, bản, tổ dân phố" in page and "0977000111" in page


def test_counter_for_someone_without_the_helpers_phone_is_refused_and_keeps_the_input(client, login_as, procedure):
    login_as("clerk")
    data = counter_applicant(**{"a-for_someone": "y", "a-helper_name": "Vàng A Sùng", "a-helper_role": "relative",
                                "paper_seen": ["0", "1"]})
    response = client.post(f"/hop-thu/tiep-nhan-tai-quay?thu_tuc={procedure.id}", data=data,
                           content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Nhập số điện thoại người nộp thay" in html and 'value="Vàng A Sùng"' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Dossier)) == 0
