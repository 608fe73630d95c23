"""The provincial LGSP variant: a bearer token, /Document/SyncDocument and /Document/UpdateDocumentTraces."""
import pytest

from commune.dossiers.states import Status
from commune.dossiers.workflow import transition
from commune.extensions import db
from commune.inbox import services
from commune.sync import send
from commune.sync.payload import official_code
from commune.sync.protocol import schema
from tests.factories import make_dossier, make_user
from tests.sync.schema_check import errors


@pytest.fixture
def sync_extra():
    return {"adapter": "lgsp"}


def test_lgsp_takes_a_token_then_syncs_the_document_and_its_traces(app, province):
    dossier = make_dossier(status="draft")
    transition(dossier, Status.SUBMITTED, actor_label="Công dân")
    services.receive(dossier, make_user("clerk"))
    db.session.commit()
    send.send_due()
    paths = [path for path, _, _ in province.received]
    assert paths == ["/lgsp/token", "/lgsp/Document/SyncDocument", "/lgsp/Document/UpdateDocumentTraces"]
    headers = {name.lower(): value for name, value in province.received[1][2].items()}
    assert headers["authorization"] == "Bearer S-1" and headers["dstcode"] == "000.00.01.H56"
    code = official_code(dossier)
    assert errors(province.dossiers[code], schema()) == []
    assert [row["TrangThai"] for row in province.history[code]] == ["1", "2"]


def test_lgsp_refused_token_logs_in_once_more(app, province):
    dossier = make_dossier(status="draft")
    transition(dossier, Status.SUBMITTED, actor_label="Công dân")
    services.receive(dossier, make_user("clerk"))
    db.session.commit()
    province.mode = "expire_once"
    send.send_due()
    assert province.logins == 2 and official_code(dossier) in province.dossiers
