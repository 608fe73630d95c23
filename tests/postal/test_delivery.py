"""The carrier, on a phone, records each step: out, delivered, failed, back to the office."""
import io
import re

import sqlalchemy as sa
from PIL import Image

from commune.dossiers.models import DossierEvent, DossierFile
from commune.extensions import db
from commune.postal.models import DeliveryAction
from tests.journeys import fail_delivery, form_token


def _events(dossier, kind):
    return db.session.scalars(sa.select(DossierEvent).filter_by(dossier_id=dossier.id, kind=kind)).all()


def test_my_items_are_grouped_by_village_with_phone_to_tap(client, login_as, handed):
    carrier = login_as("postal")
    _, items = handed(carrier, count=3)
    html = client.get("/buu-chinh").get_data(as_text=True)
    assert html.index("Thôn 0") < html.index("Thôn 1")
    for item in items:
        assert f'href="tel:{item.recipient_phone}"' in html
        assert item.recipient_name in html and item.reference in html
        assert item.dossier.display_code not in html
    assert "20.000 đ" in html  # the fee to collect
    assert 'name="viewport"' in html  # a phone page


def test_postal_staff_land_on_my_items_after_login(client, app):
    from tests.factories import make_user

    user = make_user("postal", username="buuta")
    db.session.commit()
    response = client.post("/dang-nhap", data={"username": "buuta", "password": "mat-khau-123"})
    assert response.headers["Location"].endswith("/buu-chinh")
    assert user.id


def test_out_for_delivery_is_recorded_with_time_and_person(client, login_as, handed):
    carrier = login_as("postal")
    _, (item, _other) = handed(carrier)
    page = client.get(f"/buu-chinh/buu-gui/{item.id}").get_data(as_text=True)
    response = client.post(f"/buu-chinh/buu-gui/{item.id}/di-phat", data={"token": form_token(page)})
    assert response.status_code == 302
    (event,) = _events(item.dossier, "delivery_out")
    assert event.public and event.actor_id == carrier.id and event.at is not None
    assert item.state == "out"
    assert "Đang đi phát" in client.get("/buu-chinh").get_data(as_text=True)


def test_an_action_sent_twice_is_recorded_once(client, login_as, handed):
    carrier = login_as("postal")
    _, (item, _other) = handed(carrier)
    token = form_token(client.get(f"/buu-chinh/buu-gui/{item.id}").get_data(as_text=True))
    for _ in range(2):  # the phone resends the form after a dropped connection
        assert client.post(f"/buu-chinh/buu-gui/{item.id}/di-phat", data={"token": token}).status_code == 302
    assert len(_events(item.dossier, "delivery_out")) == 1

    form = {"receiver": "self", "fee_collected": "yes", "fee_amount": "20000"}
    form["token"] = form_token(client.get(f"/buu-chinh/buu-gui/{item.id}/khong-phat-duoc").get_data(as_text=True))
    fail = dict(form, reason="nobody_home")
    for _ in range(2):
        client.post(f"/buu-chinh/buu-gui/{item.id}/khong-phat-duoc", data=fail)
    assert item.failed_attempts == 1
    assert len(_events(item.dossier, "delivery_failed")) == 1

    form["token"] = form_token(client.get(f"/buu-chinh/buu-gui/{item.id}/da-phat").get_data(as_text=True))
    for _ in range(2):
        response = client.post(f"/buu-chinh/buu-gui/{item.id}/da-phat", data=form)
        assert response.status_code == 302  # the second time is calm, not an error
    assert len(_events(item.dossier, "delivery_delivered")) == 1
    assert db.session.scalar(sa.select(sa.func.count(DeliveryAction.id))) == 3


def test_delivered_to_a_relative_with_fee_collected_returns_the_dossier(client, login_as, handed):
    carrier = login_as("postal")
    _, (item, _other) = handed(carrier)
    dossier = item.dossier
    token = form_token(client.get(f"/buu-chinh/buu-gui/{item.id}/da-phat").get_data(as_text=True))
    response = client.post(f"/buu-chinh/buu-gui/{item.id}/da-phat", data={
        "token": token, "receiver": "relative", "relative_name": "Lò Văn Bình (chồng)",
        "fee_collected": "yes", "fee_amount": "20000"})
    assert response.status_code == 302
    assert item.state == "delivered" and item.received_by == "Lò Văn Bình (chồng)"
    assert item.fee_collected and item.fee_collected_vnd == 20000
    assert dossier.status == "returned"
    assert dossier.finished_at == item.delivered_at  # delivery time counts for early / on time / late
    (event,) = _events(dossier, "delivery_delivered")
    assert event.public and "Lò Văn Bình (chồng)" in event.note and event.actor_id == carrier.id
    # Delivered items leave the carrier's list.
    assert item.recipient_name not in client.get("/buu-chinh").get_data(as_text=True)


def test_relative_without_a_name_is_asked_for_it_and_input_is_kept(client, login_as, handed):
    carrier = login_as("postal")
    _, (item, _other) = handed(carrier)
    token = form_token(client.get(f"/buu-chinh/buu-gui/{item.id}/da-phat").get_data(as_text=True))
    response = client.post(f"/buu-chinh/buu-gui/{item.id}/da-phat", data={
        "token": token, "receiver": "relative", "relative_name": "", "fee_collected": "no", "fee_amount": "123"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Ghi tên người nhận thay" in html and 'value="123"' in html
    assert item.state == "held"


def _jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), (120, 160, 90)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_delivery_photo_proof_is_kept_as_a_proof_file(client, login_as, handed):
    carrier = login_as("postal")
    _, (item, _other) = handed(carrier)
    token = form_token(client.get(f"/buu-chinh/buu-gui/{item.id}/da-phat").get_data(as_text=True))
    response = client.post(f"/buu-chinh/buu-gui/{item.id}/da-phat", content_type="multipart/form-data", data={
        "token": token, "receiver": "self", "fee_collected": "no",
        "photo": (io.BytesIO(_jpeg()), "nha-dan.jpg")})
    assert response.status_code == 302
    proof = db.session.get(DossierFile, item.proof_file_id)
    assert proof is not None and proof.purpose == "proof" and proof.dossier_id == item.dossier_id


def test_a_photo_that_is_not_a_photo_is_refused_and_nothing_is_recorded(client, login_as, handed):
    carrier = login_as("postal")
    _, (item, _other) = handed(carrier)
    token = form_token(client.get(f"/buu-chinh/buu-gui/{item.id}/da-phat").get_data(as_text=True))
    response = client.post(f"/buu-chinh/buu-gui/{item.id}/da-phat", content_type="multipart/form-data", data={
        "token": token, "receiver": "self", "fee_collected": "no",
        "photo": (io.BytesIO(b"not an image at all"), "anh.jpg")})
    assert response.status_code == 400
    assert 'class="error"' in response.get_data(as_text=True)
    assert item.state == "held" and item.dossier.status == "delivering"


def test_failed_attempt_needs_a_reason_and_a_note_for_other(client, login_as, handed):
    carrier = login_as("postal")
    _, (item, _other) = handed(carrier)
    url = f"/buu-chinh/buu-gui/{item.id}/khong-phat-duoc"
    page = client.get(url).get_data(as_text=True)
    for label in ("Không có người ở nhà", "Sai địa chỉ", "Người nhận từ chối", "Đã chuyển đi nơi khác", "Lý do khác"):
        assert label in page
    response = client.post(url, data={"token": form_token(page), "reason": "other", "note": ""})
    assert response.status_code == 400 and "Ghi rõ lý do" in response.get_data(as_text=True)
    response = client.post(url, data={"token": form_token(page), "reason": "other", "note": "Chó dữ, không vào được"})
    assert response.status_code == 302
    (event,) = _events(item.dossier, "delivery_failed")
    assert event.public and "Chó dữ" in event.note and event.data["reason"] == "other"
    assert item.state == "held" and item.failed_attempts == 1 and item.dossier.status == "delivering"




def test_after_the_last_allowed_attempt_the_item_goes_back_to_the_office(client, login_as, handed):
    carrier = login_as("postal")
    _, (item, _other) = handed(carrier)
    dossier = item.dossier
    fail_delivery(client, item)
    fail_delivery(client, item, "wrong_address")
    assert item.state == "held" and dossier.status == "delivering"
    fail_delivery(client, item, "moved")  # the third (default COMMUNE_MAX_DELIVERY_ATTEMPTS)
    assert item.state == "returned" and item.failed_attempts == 3
    assert dossier.status == "ready" and dossier.result_method == "office"
    (event,) = _events(dossier, "delivery_returned")
    assert event.public and "Bộ phận Một cửa" in event.note
    # Off the carrier's list; not waiting for the post again; the desk returns it in person.
    assert item.recipient_name not in client.get("/buu-chinh").get_data(as_text=True)
    from commune.postal.queries import waiting_dossiers

    assert dossier not in waiting_dossiers()


def test_number_of_attempts_is_configurable(client, login_as, handed, app):
    app.config["COMMUNE_MAX_DELIVERY_ATTEMPTS"] = 1
    carrier = login_as("postal")
    _, (item, _other) = handed(carrier)
    fail_delivery(client, item, "refused")
    assert item.state == "returned" and item.dossier.status == "ready"


def test_carrier_may_return_an_item_early_and_the_desk_may_take_one_back(client, login_as, handed):
    carrier = login_as("postal")
    _, (first, second) = handed(carrier)
    fail_delivery(client, first, "refused")
    page = client.get(f"/buu-chinh/buu-gui/{first.id}").get_data(as_text=True)
    assert "Trả về UBND xã" in page
    token = re.search(rf'action="/buu-chinh/buu-gui/{first.id}/tra-ve".*?name="token" value="([^"]+)"',
                      page, re.S).group(1)
    assert client.post(f"/buu-chinh/buu-gui/{first.id}/tra-ve", data={"token": token}).status_code == 302
    assert first.state == "returned" and first.dossier.status == "ready"

    desk = client.application.test_client()
    login_as("clerk", client_=desk)
    response = desk.post(f"/buu-chinh/buu-gui/{second.id}/tra-ve", data={"token": "d" * 32})
    assert response.status_code == 302
    assert second.state == "returned" and second.dossier.status == "ready"


def test_a_carrier_cannot_act_on_another_carriers_items(client, login_as, handed):
    _, (item, _other) = handed()  # held by someone else
    login_as("postal")
    assert client.get(f"/buu-chinh/buu-gui/{item.id}").status_code == 403
    assert client.post(f"/buu-chinh/buu-gui/{item.id}/di-phat", data={"token": "x" * 32}).status_code == 403
    assert client.get("/buu-chinh/buu-gui/99999").status_code == 404
    assert item.state == "held"


def test_delivering_an_item_already_delivered_says_so(client, login_as, handed):
    carrier = login_as("postal")
    _, (item, _other) = handed(carrier)
    data = {"receiver": "self", "fee_collected": "no"}
    url = f"/buu-chinh/buu-gui/{item.id}/da-phat"
    client.post(url, data=dict(data, token=form_token(client.get(url).get_data(as_text=True))))
    response = client.post(url, data=dict(data, token="n" * 32))  # a second, different form
    assert response.status_code == 400
    assert "không còn do bưu điện giữ" in response.get_data(as_text=True)
    assert len(_events(item.dossier, "delivery_delivered")) == 1
