"""The carrier's round without signal: records made on the phone arrive once, in order, with the time
they happened; the server's state wins a conflict; bad records are refused with a message."""
import io
import uuid
from datetime import UTC, timedelta

import sqlalchemy as sa
from PIL import Image

from commune.core.timeutil import utcnow
from commune.dossiers.events import EventKind
from commune.dossiers.models import DossierEvent, DossierFile
from commune.extensions import db
from commune.postal import services
from commune.postal.models import DeliveryAction
from commune.postal.offline import MAX_PHOTO_BYTES, MAX_SIGNATURE_BYTES
from commune.tracking.timeline import timeline
from tests.factories import make_user

URL = "/buu-chinh/phat/ghi"


def _png(size=(320, 160)):
    buffer = io.BytesIO()
    Image.new("RGBA", size, (0, 0, 0, 0)).save(buffer, "PNG")
    return buffer.getvalue()


def _jpeg(size=(800, 600)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (120, 80, 40)).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def _millis(at):
    return int(at.replace(tzinfo=UTC).timestamp() * 1000)


def record(client, item, kind, at=None, client_id=None, **fields):
    """What carrier-round.js sends for one queued record."""
    data = {"client_id": client_id or uuid.uuid4().hex, "item_id": str(item.id), "kind": kind,
            "happened_at": str(_millis(at or utcnow()))}
    data.update(fields)
    return client.post(URL, data=data, content_type="multipart/form-data")


def signed(**extra):
    return {"signature": (io.BytesIO(_png()), "chu-ky.png"), "fee_collected": "yes", "fee_amount": "20000",
            **extra}


def handed_hours_ago(items, hours=5):
    for item in items:
        item.handed_at = utcnow() - timedelta(hours=hours)
    db.session.commit()


def _events(dossier, kind):
    return db.session.scalars(sa.select(DossierEvent).filter_by(dossier_id=dossier.id, kind=kind)).all()


def test_a_delivery_recorded_offline_keeps_the_phone_time_and_the_server_time(client, login_as, handed):
    carrier = login_as("postal")
    _, (item, _other) = handed(carrier)
    handed_hours_ago([item])
    on_phone = utcnow() - timedelta(hours=2, minutes=13)
    response = record(client, item, "delivered", at=on_phone, receiver="relative", relative_name="Lò Văn Bình",
                      relation="child", photo=(io.BytesIO(_jpeg()), "anh.jpg"), **signed())
    assert response.status_code == 201 and response.json["outcome"] == "stored"
    (event,) = _events(item.dossier, "delivery_delivered")
    assert abs((event.at - on_phone).total_seconds()) < 1  # the time it happened
    assert event.data["received_at"] > on_phone.isoformat()  # the time it reached the server
    action = db.session.scalar(sa.select(DeliveryAction).filter_by(item_id=item.id, kind="delivered"))
    assert action.at > action.happened_at
    assert item.state == "delivered" and item.received_by == "Lò Văn Bình" and item.received_relation == "child"
    assert item.fee_collected_vnd == 20000
    assert db.session.get(DossierFile, item.signature_file_id).purpose == "signature"
    assert db.session.get(DossierFile, item.proof_file_id).purpose == "proof"
    title = str(EventKind.DELIVERY_DELIVERED.villager_title)
    (step,) = [s for s in timeline(item.dossier) if s.title == title]  # the villager's timeline
    assert abs((step.at - on_phone).total_seconds()) < 1


def test_the_same_record_sent_twice_is_stored_once(client, login_as, handed):
    carrier = login_as("postal")
    _, (item, _other) = handed(carrier)
    client_id = uuid.uuid4().hex
    first = record(client, item, "failed", client_id=client_id, reason="nobody_home")
    again = record(client, item, "failed", client_id=client_id, reason="nobody_home")
    assert first.status_code == 201 and again.status_code == 200
    assert again.json["outcome"] == "duplicate"
    assert len(_events(item.dossier, "delivery_failed")) == 1
    assert item.failed_attempts == 1


def test_records_arrive_in_order(client, login_as, handed):
    carrier = login_as("postal")
    _, (item, _other) = handed(carrier)
    handed_hours_ago([item])
    start = utcnow() - timedelta(hours=1)
    assert record(client, item, "out", at=start).status_code == 201
    assert record(client, item, "failed", at=start + timedelta(minutes=5), reason="moved").status_code == 201
    assert record(client, item, "returned", at=start + timedelta(minutes=9)).status_code == 201
    kinds = [a.kind for a in db.session.scalars(sa.select(DeliveryAction).filter_by(item_id=item.id)
                                                .order_by(DeliveryAction.id))]
    assert kinds == ["out", "failed", "returned"]
    assert item.state == "returned" and item.dossier.status == "ready"


def test_an_item_the_office_recalled_meanwhile_is_a_conflict_the_carrier_sees(client, app, login_as, handed):
    carrier = login_as("postal")
    _, (item, _other) = handed(carrier)
    clerk = make_user("clerk")
    services.return_to_office(item, clerk, services.new_token())  # the desk takes it back meanwhile
    db.session.commit()
    response = record(client, item, "delivered", **signed())
    assert response.status_code == 409
    assert response.json["outcome"] == "conflict"
    assert "UBND xã đã nhận lại bưu gửi này" in response.json["message"]
    assert response.json["item"]["state"] == "returned"  # the server's state wins
    assert item.state == "returned" and not _events(item.dossier, "delivery_delivered")


def test_a_record_for_an_item_not_on_the_carriers_manifest_is_refused(client, login_as, handed):
    carrier = login_as("postal")
    _, (mine, _other) = handed(carrier)
    _, (theirs, _) = handed(make_user("postal"))  # another carrier's bag
    response = record(client, theirs, "out")
    assert response.status_code == 422 and response.json["outcome"] == "refused"
    assert "không có trong danh sách bạn đang giữ" in response.json["message"]
    assert theirs.state == "held"
    made_up = record(client, type("Item", (), {"id": 999999})(), "out")
    assert made_up.status_code == 422 and mine.state == "held"


def test_a_forged_record_for_another_offices_item_is_refused(client, login_as, handed):
    carrier = login_as("postal")
    other_office = make_user("postal")
    other_office.post_office = "Bưu điện huyện khác"
    _, (theirs, _) = handed(other_office)
    response = record(client, theirs, "delivered", **signed())
    assert response.status_code == 422 and response.json["message"]
    assert theirs.state == "held" and not _events(theirs.dossier, "delivery_delivered")
    assert carrier.id != other_office.id


def test_signature_and_photo_over_the_cap_are_refused_with_a_message(client, login_as, handed):
    carrier = login_as("postal")
    _, (item, _other) = handed(carrier)
    big_signature = io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"0" * (MAX_SIGNATURE_BYTES + 1))
    response = record(client, item, "delivered", signature=(big_signature, "chu-ky.png"))
    assert response.status_code == 422 and "Chữ ký quá lớn" in response.json["message"]
    big_photo = io.BytesIO(b"\xff\xd8" + b"0" * (MAX_PHOTO_BYTES + 1))
    response = record(client, item, "delivered", photo=(big_photo, "anh.jpg"), **signed())
    assert response.status_code == 422 and "Ảnh quá lớn" in response.json["message"]
    assert item.state == "held" and not _events(item.dossier, "delivery_delivered")


def test_bad_records_are_refused_with_a_message(client, login_as, handed):
    carrier = login_as("postal")
    _, (item, _other) = handed(carrier)
    cases = [
        ({"kind": "delivered"}, "Cần chữ ký của người nhận"),
        ({"kind": "failed"}, "Chọn lý do"),
        ({"kind": "failed", "reason": "other"}, "Ghi rõ lý do"),
        ({"kind": "teleported"}, "Lựa chọn không hợp lệ"),
        ({"kind": "out", "client_id": "ngắn"}, "Mã ghi nhận không hợp lệ"),
        ({"kind": "delivered", "receiver": "relative", **signed()}, "Ghi tên người nhận thay"),
        ({"kind": "delivered", "signature": (io.BytesIO(b"GIF89a"), "chu-ky.gif")}, "Chữ ký phải là ảnh PNG"),
        ({"kind": "out", "happened_at": "hôm qua"}, "Hãy nhập một số"),
    ]
    for fields, message in cases:
        kind = fields.pop("kind")
        response = record(client, item, kind, **fields)
        assert response.status_code == 422, (kind, fields)
        assert message in " ".join(sum(response.json["errors"].values(), [])), (kind, message, response.json)
    assert item.state == "held" and not item.actions


def test_a_phone_clock_ahead_of_the_server_cannot_date_a_step_in_the_future(client, login_as, handed):
    carrier = login_as("postal")
    _, (item, _other) = handed(carrier)
    assert record(client, item, "out", at=utcnow() + timedelta(days=3)).status_code == 201
    (event,) = _events(item.dossier, "delivery_out")
    assert event.at <= utcnow()


def test_the_days_items_as_the_phone_keeps_them(client, login_as, handed):
    carrier = login_as("postal")
    _, items = handed(carrier)
    client.post("/buu-chinh/phat/bat-dau")
    data = client.get("/buu-chinh/phat/du-lieu.json").json
    assert data["carrier"] == carrier.id and data["round"] and data["csrf_token"]
    assert {i["id"] for i in data["items"]} == {i.id for i in items}
    line = data["items"][0]
    assert set(line) >= {"recipient", "phone", "address", "village", "fee_vnd", "reference"}
    text = str(data)
    for item in items:
        assert item.dossier.display_code not in text and item.dossier.code not in text
        assert "Bí mật gia đình" not in text  # the dossier's form answers never leave the office
    assert "/tep/" not in text


def test_only_postal_accounts_get_the_round(client, login_as):
    assert client.get("/buu-chinh/phat/du-lieu.json").status_code in (302, 401)
    login_as("clerk")
    assert client.get("/buu-chinh/phat/du-lieu.json").status_code == 403
    assert client.get("/buu-chinh/phat/sw.js").status_code == 403
    assert client.post(URL, data={}).status_code == 403
