"""Answering a supplement request: photos per item, a reply, the same code, every version kept."""

import sqlalchemy as sa

from commune.core.calendar import compute_due_date
from commune.dossiers.models import DossierFile
from commune.extensions import db
from tests.factories import photo
from tests.journeys import upload_supplement, waiting_for_supplement


def test_supplement_round_trip_keeps_both_versions_and_restarts_the_clock(client):
    dossier, request_row = waiting_for_supplement(client)
    response = upload_supplement(client, dossier, 0, photo((0, 0, 250)), "chung-sinh-ro.jpg")
    assert response.status_code == 302
    response = client.post(f"/ho-so/{dossier.code}/bo-sung", data={"reply": "Tôi gửi lại ảnh rõ hơn."})
    assert response.status_code == 302
    assert dossier.status == "received"
    assert dossier.code == dossier.code and dossier.has_new_supplement is True
    assert request_row.answered_at is not None and request_row.reply == "Tôi gửi lại ảnh rõ hơn."
    assert dossier.due_date == compute_due_date(request_row.answered_at, 5)
    birth_certificates = db.session.scalars(sa.select(DossierFile).where(
        DossierFile.dossier_id == dossier.id, DossierFile.document_index == 1).order_by(DossierFile.round)).all()
    assert [f.round for f in birth_certificates] == [0, 1]
    assert birth_certificates[0].sha256 != birth_certificates[1].sha256
    html = client.get(f"/ho-so/{dossier.code}").get_data(as_text=True)
    assert "Bạn đã gửi bổ sung" in html and "Đã gửi 1 ảnh" in html and "Tôi gửi lại ảnh rõ hơn." in html
    assert "Gửi bổ sung</button>" not in html


def test_answer_to_a_dossier_not_yet_received_goes_back_to_waiting(client):
    dossier, request_row = waiting_for_supplement(client, received=False)
    upload_supplement(client, dossier, 0, photo((5, 5, 5)))
    upload_supplement(client, dossier, 1, photo())
    assert client.post(f"/ho-so/{dossier.code}/bo-sung", data={"reply": ""}).status_code == 302
    assert dossier.status == "submitted" and dossier.due_date is None


def test_upload_script_gets_a_thumbnail_fragment(client):
    dossier, _request = waiting_for_supplement(client)
    response = upload_supplement(client, dossier, 0, photo(), script=True)
    assert response.status_code == 201
    assert '<li class="photo"' in response.get_data(as_text=True)


def test_a_file_that_is_not_a_photo_is_refused_with_a_clear_message(client):
    dossier, _request = waiting_for_supplement(client)
    response = upload_supplement(client, dossier, 0, b"not an image at all", "giay.jpg", script=True)
    assert response.status_code == 422
    assert response.headers["Content-Type"].startswith("text/plain")
    assert "giay.jpg" in response.get_data(as_text=True)
    plain = upload_supplement(client, dossier, 0, b"not an image at all", "giay.jpg")
    assert plain.status_code == 422
    assert "giay.jpg" in plain.get_data(as_text=True) and "Gửi bổ sung" in plain.get_data(as_text=True)


def test_sending_nothing_asks_for_a_photo_or_a_reply(client):
    dossier, _request = waiting_for_supplement(client)
    response = client.post(f"/ho-so/{dossier.code}/bo-sung", data={"reply": "  "})
    assert response.status_code == 400
    assert "Hãy thêm ảnh" in response.get_data(as_text=True)
    assert dossier.status == "needs_supplement"


def test_a_page_added_by_mistake_can_be_taken_back_before_sending(client):
    dossier, request_row = waiting_for_supplement(client)
    upload_supplement(client, dossier, 0, photo((9, 9, 9)))
    added = db.session.scalar(sa.select(DossierFile).where(DossierFile.dossier_id == dossier.id,
                                                           DossierFile.round == 1))
    first_round = db.session.scalar(sa.select(DossierFile).where(DossierFile.dossier_id == dossier.id,
                                                                 DossierFile.round == 0))
    added_id, first_id = added.id, first_round.id
    assert client.post(f"/ho-so/bo-sung/tep/{first_id}/xoa").status_code == 404  # never the originals
    assert client.post(f"/ho-so/bo-sung/tep/{added_id}/xoa").status_code == 302
    assert db.session.get(DossierFile, added_id) is None


def test_the_page_shows_photos_already_added_under_their_item(client):
    dossier, _request = waiting_for_supplement(client)
    upload_supplement(client, dossier, 1, photo())
    html = client.get(f"/ho-so/{dossier.code}").get_data(as_text=True)
    item_two = html.split('id="item-1"')[1].split('id="item-')[0] if 'id="item-1"' in html else ""
    assert 'class="photo"' in item_two


def test_strangers_cannot_send_photos_or_answers(client, app):
    dossier, _request = waiting_for_supplement(client)
    stranger = app.test_client()
    assert stranger.post(f"/ho-so/{dossier.code}/bo-sung", data={"reply": "x"}).status_code == 404
    assert upload_supplement(stranger, dossier, 0, photo()).status_code == 404
    assert dossier.status == "needs_supplement"


def test_an_item_left_without_photos_needs_a_word_of_explanation(client):
    dossier, request_row = waiting_for_supplement(client)
    upload_supplement(client, dossier, 0, photo((1, 1, 200)))
    response = client.post(f"/ho-so/{dossier.code}/bo-sung", data={"reply": ""})
    assert response.status_code == 400
    assert "Chưa có ảnh cho: Giấy xác nhận cư trú" in response.get_data(as_text=True)
    response = client.post(f"/ho-so/{dossier.code}/bo-sung",
                           data={"reply": "Giấy xác nhận cư trú tôi sẽ mang đến nộp trực tiếp."})
    assert response.status_code == 302
    assert dossier.status == "received"
