"""The carrier's session ends while the round is without signal: what the phone sends hours later
is refused with a redirect to the login page (carrier-round.js shows "log in again to send" and
keeps the records), never with an answer that would drop them or clear the phone's copy."""
import time
import uuid
from datetime import UTC, timedelta

import sqlalchemy as sa

from commune.accounts import session_life
from commune.core.timeutil import utcnow
from commune.extensions import db
from commune.postal.models import DeliveryAction
from tests.factories import PASSWORD

URL = "/buu-chinh/phat/ghi"
DATA_URL = "/buu-chinh/phat/du-lieu.json"


def _send_out_record(client, item, client_id):
    """What carrier-round.js sends for an 'out' record queued an hour ago."""
    at = utcnow() - timedelta(hours=1)
    return client.post(URL, data={"client_id": client_id, "item_id": str(item.id), "kind": "out",
                                  "happened_at": str(int(at.replace(tzinfo=UTC).timestamp() * 1000))},
                       headers={"Accept": "application/json"}, content_type="multipart/form-data")


def _last_seen(client, ago):
    with client.session_transaction() as session:
        session[session_life.SEEN_AT] = int(time.time()) - int(ago.total_seconds())


def test_records_sent_after_the_session_ended_wait_on_the_phone_until_the_carrier_logs_in(
        client, login_as, handed):
    carrier = login_as("postal")
    _, (item, _other) = handed(carrier)
    item.handed_at = utcnow() - timedelta(hours=5)  # taken out this morning
    db.session.commit()
    _last_seen(client, timedelta(hours=3))  # three hours out of signal
    client_id = uuid.uuid4().hex
    for response in (client.get(DATA_URL), _send_out_record(client, item, client_id)):
        # A redirect to the login page: fetch follows it and the page says to log in again.
        assert response.status_code == 302 and response.headers["Location"].startswith("/dang-nhap")
        assert "Clear-Site-Data" not in response.headers  # the queue and the kept pages stay
    assert db.session.scalars(sa.select(DeliveryAction)).all() == []
    assert client.post("/dang-nhap", data={"username": carrier.username, "password": PASSWORD}).status_code == 302
    response = _send_out_record(client, item, client_id)  # the same record, sent again
    assert response.status_code == 201, response.json
    assert response.json["outcome"] == "stored"


def test_fetching_the_days_items_in_the_background_is_not_activity(client, login_as, handed):
    carrier = login_as("postal")
    handed(carrier)
    _last_seen(client, timedelta(minutes=20))
    assert client.get(DATA_URL).status_code == 200
    with client.session_transaction() as session:
        assert int(time.time()) - session[session_life.SEEN_AT] >= 20 * 60
    assert client.get("/buu-chinh/phat/").status_code == 200  # opening the round page is
    with client.session_transaction() as session:
        assert int(time.time()) - session[session_life.SEEN_AT] < 60
