"""Withdrawing before the clerk starts processing, and rating a finished dossier once."""
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from commune.dossiers.states import WITHDRAWABLE
from commune.extensions import db
from commune.tracking.models import Rating
from tests.factories import new_dossier
from tests.journeys import open_in_browser


def _opened(client, **values):
    dossier = new_dossier(**values)
    db.session.commit()
    open_in_browser(client, dossier)
    return dossier


@pytest.mark.parametrize("status", sorted(WITHDRAWABLE))
def test_villager_withdraws_after_confirming(client, status):
    dossier = _opened(client, status=status, status_before_supplement="submitted")
    assert "Rút hồ sơ này" in client.get(f"/ho-so/{dossier.code}").get_data(as_text=True)
    confirm = client.get(f"/ho-so/{dossier.code}/rut")
    assert confirm.status_code == 200
    assert "Có, rút hồ sơ" in confirm.get_data(as_text=True)
    assert dossier.status == status  # nothing happens until confirmed
    response = client.post(f"/ho-so/{dossier.code}/rut", data={"reason": "Đã làm ở nơi khác"})
    assert response.status_code == 302
    assert dossier.status == "withdrawn"
    assert dossier.events[-1].note == "Đã làm ở nơi khác" and dossier.events[-1].actor_id is None
    assert "Bạn đã rút hồ sơ này" in client.get(f"/ho-so/{dossier.code}").get_data(as_text=True)


@pytest.mark.parametrize("status", ["processing", "ready", "delivering", "returned", "refused"])
def test_withdrawal_is_refused_once_processing_started(client, status):
    dossier = _opened(client, status=status)
    assert "Rút hồ sơ này" not in client.get(f"/ho-so/{dossier.code}").get_data(as_text=True)
    response = client.post(f"/ho-so/{dossier.code}/rut", data={"reason": ""})
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "không thể rút nữa" in page
    assert dossier.status == status


def test_a_stranger_cannot_withdraw(client, app):
    dossier = _opened(client)
    assert app.test_client().post(f"/ho-so/{dossier.code}/rut").status_code == 404
    assert dossier.status == "submitted"


def test_finished_dossier_is_rated_once(client):
    dossier = _opened(client, status="returned")
    response = client.post(f"/ho-so/{dossier.code}/danh-gia", data={"score": "satisfied",
                                                                   "comment": "Cán bộ nhiệt tình"})
    assert response.status_code == 302
    html = client.get(response.location).get_data(as_text=True)
    assert "Cảm ơn bạn đã đánh giá" in html and "Cán bộ nhiệt tình" in html
    again = client.post(f"/ho-so/{dossier.code}/danh-gia", data={"score": "unsatisfied"})
    assert "đã được đánh giá" in client.get(again.location).get_data(as_text=True)
    ratings = db.session.scalars(sa.select(Rating).where(Rating.dossier_id == dossier.id)).all()
    assert [r.score for r in ratings] == ["satisfied"]


def test_the_database_keeps_one_rating_per_dossier(app):
    dossier = new_dossier(status="returned")
    db.session.add(Rating(dossier_id=dossier.id, score="neutral"))
    db.session.flush()
    db.session.add(Rating(dossier_id=dossier.id, score="satisfied"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_a_dossier_still_open_cannot_be_rated(client):
    dossier = _opened(client, status="received")
    assert "Đánh giá chất lượng phục vụ" not in client.get(f"/ho-so/{dossier.code}").get_data(as_text=True)
    client.post(f"/ho-so/{dossier.code}/danh-gia", data={"score": "satisfied"})
    assert db.session.scalar(sa.select(sa.func.count(Rating.id))) == 0


def test_rating_without_a_choice_keeps_the_comment_and_explains(client):
    dossier = _opened(client, status="refused")
    response = client.post(f"/ho-so/{dossier.code}/danh-gia", data={"comment": "Chờ lâu quá"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Hãy chọn một mức đánh giá" in html and "Chờ lâu quá" in html
