"""The villager chooses, and may change, how to receive the result until it is handed to the post."""
import sqlalchemy as sa

from commune.dossiers.models import DossierEvent
from commune.extensions import db
from tests.factories import make_dossier, make_procedure
from tests.journeys import qr_link


def _as_villager(client, dossier):
    """The villager opens the dossier with the QR code of the receipt (full access)."""
    assert client.get(qr_link(dossier)).status_code == 302


def test_villager_switches_to_delivery_by_post_then_back(client):
    dossier = make_dossier(status="processing", applicant_name="Lò Thị Mai")
    db.session.commit()
    _as_villager(client, dossier)
    url = f"/ho-so/{dossier.code}/nhan-ket-qua"
    page = client.get(url).get_data(as_text=True)
    assert "Phí chuyển phát" in page  # the fee note from the settings
    assert 'value="Lò Thị Mai"' in page  # prefilled with the applicant

    response = client.post(url, data={"method": "post", "name": "Lò Thị Mai", "phone": "0987 654 321",
                                      "address": "Nhà số 12", "village": "Bản Na Hang",
                                      "note": "Gọi trước khi đến"})
    assert response.status_code == 302
    assert dossier.result_method == "post" and dossier.delivery_phone == "0987654321"
    assert dossier.delivery_village == "Bản Na Hang" and dossier.delivery_note == "Gọi trước khi đến"
    event = db.session.scalar(sa.select(DossierEvent).filter_by(dossier_id=dossier.id, kind="delivery_method"))
    assert event.public and "Nhà số 12" in event.note

    client.post(url, data={"method": "office"})
    assert dossier.result_method == "office"


def test_missing_address_is_asked_for_and_input_kept(client):
    dossier = make_dossier(status="received")
    db.session.commit()
    _as_villager(client, dossier)
    response = client.post(f"/ho-so/{dossier.code}/nhan-ket-qua", data={
        "method": "post", "name": "Lò Thị Mai", "phone": "12", "address": "", "village": "Bản Na"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Số điện thoại chưa đúng" in html and "Vui lòng điền mục này" in html
    assert 'value="Bản Na"' in html
    assert dossier.result_method == "office"


def test_procedure_without_postal_return_offers_only_the_office(client):
    dossier = make_dossier(procedure=make_procedure(postal=False), status="received")
    db.session.commit()
    _as_villager(client, dossier)
    url = f"/ho-so/{dossier.code}/nhan-ket-qua"
    assert "chỉ trả kết quả tại Bộ phận Một cửa" in client.get(url).get_data(as_text=True)
    response = client.post(url, data={"method": "post", "name": "A", "phone": "0987654321",
                                      "address": "B", "village": "C"})
    assert response.status_code == 400
    assert dossier.result_method == "office"


def test_no_change_once_the_result_is_with_the_post(client, login_as, handed):
    _, (item, _other) = handed()
    dossier = item.dossier
    _as_villager(client, dossier)
    url = f"/ho-so/{dossier.code}/nhan-ket-qua"
    assert "không thể đổi cách nhận" in client.get(url).get_data(as_text=True)
    response = client.post(url, data={"method": "office"})
    assert response.status_code == 400
    assert dossier.result_method == "post"


def test_a_stranger_cannot_open_or_change_the_choice(client):
    dossier = make_dossier(status="received")
    db.session.commit()
    url = f"/ho-so/{dossier.code}/nhan-ket-qua"
    assert client.get(url).status_code == 404
    assert client.post(url, data={"method": "post"}).status_code == 404
