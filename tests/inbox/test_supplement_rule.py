"""'One supplement means one': the commune may forbid a second supplement request outright."""
import sqlalchemy as sa

from commune.core.settings import set_setting
from commune.dossiers.models import SupplementRequest
from commune.extensions import db
from tests.journeys import act

SECOND = {"items": "0", "message": "Thiếu tờ khai", "reason_for_another": "Người dân gửi nhầm giấy tờ"}


def once_only():
    set_setting("supplement_rule", "once_only")
    db.session.commit()


def requests_of(dossier):
    return db.session.scalars(sa.select(SupplementRequest).where(SupplementRequest.dossier_id == dossier.id)).all()


def test_with_the_setting_on_a_second_request_is_refused_even_with_a_reason(client, login_as, dossier_in):
    once_only()
    login_as("clerk")
    dossier = dossier_in("received", supplement_count=1)
    response = act(client, dossier, "supplement", SECOND)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "chỉ được yêu cầu bổ sung một lần" in html
    assert requests_of(dossier) == []
    assert db.session.get(type(dossier), dossier.id).status == "received"


def test_with_the_setting_on_the_supplement_action_is_not_offered_after_the_first(client, login_as, dossier_in):
    once_only()
    login_as("clerk")
    asked = dossier_in("processing", supplement_count=1)
    html = client.get(f"/hop-thu/ho-so/{asked.id}").get_data(as_text=True)
    assert 'id="action-supplement"' not in html
    assert "chỉ được yêu cầu bổ sung một lần" in html  # the clerk is told why
    fresh = dossier_in("received")
    html = client.get(f"/hop-thu/ho-so/{fresh.id}").get_data(as_text=True)
    assert 'id="action-supplement"' in html  # the first request is still offered
    assert act(client, fresh, "supplement", {"items": "1", "message": "Ảnh mờ"}).status_code == 302


def test_by_default_a_second_request_goes_through_with_a_reason(client, login_as, dossier_in):
    login_as("clerk")
    dossier = dossier_in("received", supplement_count=1)
    html = client.get(f"/hop-thu/ho-so/{dossier.id}").get_data(as_text=True)
    assert 'id="action-supplement"' in html and "Lý do phải yêu cầu bổ sung lần nữa" in html
    assert act(client, dossier, "supplement", {"items": "0", "message": "Thiếu tờ khai"}).status_code == 400
    assert act(client, dossier, "supplement", SECOND).status_code == 302
    assert [r.round for r in requests_of(dossier)] == [2]
