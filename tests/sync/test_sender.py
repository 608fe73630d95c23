"""The background sender: woken after the commit of a request that queued records, only when the sync is on."""
import time

import pytest

from commune.dossiers.states import Status
from commune.dossiers.workflow import transition
from commune.extensions import db
from commune.sync.payload import official_code
from commune.sync.worker import EXTENSION_KEY
from tests.factories import make_dossier
from tests.journeys import act


@pytest.fixture
def sync_extra():
    return {"COMMUNE_SYNC_THREAD": True}


def _receive_at_the_desk(client, login_as):
    dossier = make_dossier(status="draft")
    transition(dossier, Status.SUBMITTED, actor_label="Công dân")
    db.session.commit()
    login_as("clerk")
    assert act(client, dossier, "receive").status_code == 302
    return dossier


def test_the_desks_receipt_reaches_the_province_without_a_cron(app, client, login_as, province):
    sender = app.extensions[EXTENSION_KEY]
    try:
        dossier = _receive_at_the_desk(client, login_as)
        deadline = time.monotonic() + 10
        while official_code(dossier) not in province.history and time.monotonic() < deadline:
            time.sleep(0.1)
            db.session.expire_all()
        code = official_code(dossier)
        assert province.dossiers[code]["TrangThaiHoSo"] == "2"
    finally:
        sender.stop()


def test_the_sender_stays_asleep_while_the_sync_is_off(app, client, login_as, province):
    app.config["COMMUNE_SYNC_ENABLED"] = False
    sender = app.extensions[EXTENSION_KEY]
    _receive_at_the_desk(client, login_as)
    assert sender.thread is None and province.received == []
