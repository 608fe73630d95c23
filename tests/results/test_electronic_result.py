"""The electronic result: the clerk attaches it when the result is ready, the villager downloads it with
the receipt's key (each download on the record), the page says what the copy is worth and where the
paper original is, and nobody else gets it."""
import io

import sqlalchemy as sa

from commune.dossiers.models import Dossier, DossierEvent, DossierFile
from commune.extensions import db
from commune.notices.outbox import Notice
from commune.notices.texts import describe
from tests.factories import make_procedure, new_dossier
from tests.journeys import act, open_in_browser, open_status_only, procedure_data
from tests.photos import images


def _dossier(result_copy="reference", **values):
    procedure = make_procedure(name="Chứng thực bản sao (thử)", result_copy=result_copy)
    dossier = new_dossier(procedure=procedure, status="processing", applicant_name="Lò Thị Kết Quả", **values)
    db.session.commit()
    return dossier


def _mark_ready(client, dossier, files):
    response = act(client, dossier, "ready", {"note": "Đã ký", "result": files}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return db.session.get(Dossier, dossier.id)


def _results(dossier):
    return db.session.scalars(sa.select(DossierFile).filter_by(dossier_id=dossier.id, purpose="result")
                              .order_by(DossierFile.id)).all()


def _downloads(dossier):
    return db.session.scalars(sa.select(DossierEvent).filter_by(dossier_id=dossier.id, kind="result_download")).all()


def test_the_clerk_attaches_photos_of_the_signed_paper_and_the_villager_downloads_each(app, client, login_as):
    app.config.update(SMS_URL="http://127.0.0.1:9/sms", COMMUNE_PUBLIC_URL="https://motcua.xa-mau.gov.vn")
    dossier = _dossier()
    login_as("officer")
    page = client.get(f"/hop-thu/ho-so/{dossier.id}").get_data(as_text=True)
    assert "Bản điện tử của kết quả" in page and "bản sao để tham khảo" in page and "multiple" in page
    dossier = _mark_ready(client, dossier, [(io.BytesIO(images.jpeg(color=(200, 0, 0))), "trang-1.jpg"),
                                            (io.BytesIO(images.jpeg(color=(0, 200, 0))), "trang-2.jpg")])
    assert dossier.status == "ready" and len(_results(dossier)) == 2
    assert "Bản điện tử" in describe(dossier, dossier.events[-1])[1]  # the notice says it is there
    [sms] = [n.body for n in db.session.scalars(sa.select(Notice).filter_by(dossier_id=dossier.id, channel="sms"))]
    assert sms.startswith("Da co ket qua: tai ban dien tu tai trang tra cuu.") and f"/t/{dossier.code}" in sms

    villager = app.test_client()
    open_in_browser(villager, dossier)
    html = villager.get(f"/ho-so/{dossier.code}").get_data(as_text=True)
    assert "Kết quả điện tử" in html and "Tải ảnh kết quả, trang 2" in html
    assert "Đây là bản sao để tham khảo: chỉ bản giấy gốc có giá trị." in html
    assert "Bản giấy gốc: nhận tại bộ phận Một cửa, mang theo CCCD." in html
    first, second = _results(dossier)
    for row, number in ((first, 1), (second, 2), (first, 1)):
        response = villager.get(f"/ho-so/{dossier.code}/ket-qua/{row.id}")
        assert response.status_code == 200 and response.mimetype == "image/jpeg"
        assert response.headers["Cache-Control"] == "no-store"
        assert f"ket-qua-{dossier.code}-{number}.jpg" in response.headers["Content-Disposition"]
        assert response.data[:2] == b"\xff\xd8"
    # Every download is on the record, for staff only.
    downloads = _downloads(dossier)
    assert [e.data["file_id"] for e in downloads] == [first.id, second.id, first.id]
    assert not any(e.public for e in downloads)
    staff_page = client.get(f"/hop-thu/ho-so/{dossier.id}").get_data(as_text=True)
    assert "Người dân tải bản điện tử của kết quả" in staff_page


def test_an_official_pdf_result_going_by_post(app, client, login_as):
    dossier = _dossier("official", result_method="post", delivery_name="Lò Thị Kết Quả",
                       delivery_phone="0987654321", delivery_address="Nhà số 12", delivery_village="Bản Na")
    login_as("clerk")
    dossier = _mark_ready(client, dossier, [(io.BytesIO(images.pdf(2)), "ket-qua-da-ky.pdf")])
    villager = app.test_client()
    open_in_browser(villager, dossier)
    html = villager.get(f"/ho-so/{dossier.code}").get_data(as_text=True)
    assert "Đây là kết quả điện tử chính thức, có giá trị như bản giấy." in html
    assert "Bản giấy gốc được gửi qua bưu điện đến địa chỉ bạn đã chọn." in html
    [row] = _results(dossier)
    response = villager.get(f"/ho-so/{dossier.code}/ket-qua/{row.id}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")


def test_the_worth_stays_as_issued_when_the_admin_changes_the_procedure(app, client, login_as):
    dossier = _dossier("official")
    login_as("clerk")
    dossier = _mark_ready(client, dossier, [(io.BytesIO(images.jpeg()), "kq.jpg")])
    admin = app.test_client()
    login_as("admin", client_=admin)
    procedure = dossier.procedure
    response = admin.post(f"/quan-tri/thu-tuc/{procedure.id}", data=procedure_data(procedure, result_copy="reference"))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert db.session.get(type(procedure), procedure.id).result_copy == "reference"
    villager = app.test_client()
    open_in_browser(villager, dossier)
    assert "kết quả điện tử chính thức" in villager.get(f"/ho-so/{dossier.code}").get_data(as_text=True)


def test_the_admin_sees_and_saves_the_procedure_setting(app, client, login_as):
    procedure = make_procedure(name="Cấp bản sao trích lục (thử)")
    db.session.commit()
    login_as("admin")
    page = client.get(f"/quan-tri/thu-tuc/{procedure.id}").get_data(as_text=True)
    assert "Bản điện tử của kết quả người dân tải về" in page and "Kết quả điện tử chính thức" in page
    response = client.post(f"/quan-tri/thu-tuc/{procedure.id}", data=procedure_data(procedure, result_copy="official"))
    assert response.status_code == 302
    assert db.session.get(type(procedure), procedure.id).result_copy == "official"
    bad = client.post(f"/quan-tri/thu-tuc/{procedure.id}", data=procedure_data(procedure, result_copy="vang"))
    assert bad.status_code in (200, 400, 422)
    assert db.session.get(type(procedure), procedure.id).result_copy == "official"


def test_code_and_phone_see_that_a_copy_exists_but_not_the_copy(app, client, login_as):
    dossier = _dossier()
    login_as("clerk")
    dossier = _mark_ready(client, dossier, [(io.BytesIO(images.jpeg()), "kq.jpg")])
    [row] = _results(dossier)
    url = f"/ho-so/{dossier.code}/ket-qua/{row.id}"
    neighbour = app.test_client()
    open_status_only(neighbour, dossier)
    html = neighbour.get(f"/ho-so/{dossier.code}").get_data(as_text=True)
    assert "Để tải bản điện tử, nhập mã tra cứu in trên biên nhận." in html and url not in html
    assert neighbour.get(url).status_code == 404
    assert app.test_client().get(url).status_code == 404  # a stranger
    assert client.get(url).status_code == 404  # staff read it from the inbox, never as the villager
    assert _downloads(dossier) == []


def test_only_a_result_of_this_dossier_is_served(app, client, login_as):
    dossier = _dossier()
    other = _dossier()
    login_as("clerk")
    dossier = _mark_ready(client, dossier, [(io.BytesIO(images.jpeg()), "kq.jpg")])
    other = _mark_ready(client, other, [(io.BytesIO(images.jpeg(color=(9, 9, 9))), "kq.jpg")])
    page = DossierFile(dossier_id=dossier.id, round=0, purpose="document", storage_key=_results(dossier)[0].storage_key,
                       mime="image/jpeg", size_bytes=1, sha256="0" * 64)
    db.session.add(page)
    db.session.commit()
    villager = app.test_client()
    open_in_browser(villager, dossier)
    assert villager.get(f"/ho-so/{dossier.code}/ket-qua/{_results(other)[0].id}").status_code == 404
    assert villager.get(f"/ho-so/{dossier.code}/ket-qua/{page.id}").status_code == 404
    assert villager.get(f"/ho-so/{dossier.code}/ket-qua/999999").status_code == 404


def test_a_file_that_is_not_a_photo_or_pdf_is_refused_and_nothing_changes(app, client, login_as):
    dossier = _dossier()
    login_as("clerk")
    response = act(client, dossier, "ready", {"result": [(io.BytesIO(b"MZ not a document"), "kq.exe")]},
                   content_type="multipart/form-data")
    assert response.status_code in (400, 409, 422)
    assert db.session.get(Dossier, dossier.id).status == "processing" and _results(dossier) == []


def test_without_an_electronic_copy_the_page_has_no_result_section(app, client, login_as):
    dossier = _dossier()
    login_as("clerk")
    dossier = _mark_ready(client, dossier, [])
    villager = app.test_client()
    open_in_browser(villager, dossier)
    assert "Kết quả điện tử" not in villager.get(f"/ho-so/{dossier.code}").get_data(as_text=True)
