"""Two clerks on one dossier: the second is told what changed, nothing is overwritten."""
import pytest
import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from commune.core.timeutil import utcnow
from commune.dossiers.models import Dossier, DossierEvent
from commune.extensions import db
from commune.inbox import services
from tests.factories import PASSWORD, make_user
from tests.journeys import act, form_values


def test_second_clerk_gets_what_changed_instead_of_overwriting(app, client, login_as, dossier_in):
    login_as("clerk")
    dossier = dossier_in("submitted")
    page = client.get(f"/hop-thu/ho-so/{dossier.id}").get_data(as_text=True)
    seen_by_first = form_values(page, "refuse")

    other = app.test_client()
    colleague = make_user("clerk", full_name="Phạm Thị Đồng Nghiệp")
    db.session.commit()
    other.post("/dang-nhap", data={"username": colleague.username, "password": PASSWORD})
    other_page = other.get(f"/hop-thu/ho-so/{dossier.id}").get_data(as_text=True)
    assert other.post(f"/hop-thu/ho-so/{dossier.id}/thao-tac/receive",
                      data=form_values(other_page, "receive")).status_code == 302

    # The first clerk, still looking at the old page, tries to refuse.
    response = client.post(f"/hop-thu/ho-so/{dossier.id}/thao-tac/refuse",
                           data={**seen_by_first, "refuse-reason": "Thiếu giấy tờ"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Hồ sơ vừa được người khác thay đổi" in html
    assert "Phạm Thị Đồng Nghiệp" in html and "Đã tiếp nhận" in html
    assert "Thiếu giấy tờ" in html  # what the clerk typed is kept
    assert db.session.get(Dossier, dossier.id).status == "received"


def test_stale_write_from_a_race_is_caught_by_the_version_column(app, dossier_in):
    dossier = dossier_in("submitted")
    clerk = make_user("clerk")
    db.session.commit()
    # Someone else's transaction bumps the version after we loaded the row.
    with db.engine.begin() as connection:
        connection.execute(sa.update(Dossier.__table__).where(Dossier.__table__.c.id == dossier.id)
                           .values(version=dossier.version + 1, status="received"))
    with pytest.raises(StaleDataError):
        services.add_note(dossier, clerk, "ok")  # events alone never touch the row
        dossier.applicant_name = "Ghi đè"
        db.session.flush()
    db.session.rollback()
    assert db.session.get(Dossier, dossier.id).applicant_name != "Ghi đè"


def test_viewing_documents_is_logged_without_changing_the_version(client, login_as, dossier_in):
    user = login_as("officer")
    dossier = dossier_in("received")
    version = dossier.version
    client.get(f"/hop-thu/ho-so/{dossier.id}")
    client.get(f"/hop-thu/ho-so/{dossier.id}")  # a reload within minutes is one view
    views = db.session.scalars(sa.select(DossierEvent).filter_by(dossier_id=dossier.id, kind="document_view")).all()
    assert len(views) == 1
    assert views[0].actor_id == user.id and views[0].public is False and views[0].at <= utcnow()
    assert db.session.get(Dossier, dossier.id).version == version


def test_notes_do_not_block_a_colleague(client, login_as, dossier_in):
    login_as("clerk")
    dossier = dossier_in("submitted")
    page = client.get(f"/hop-thu/ho-so/{dossier.id}").get_data(as_text=True)
    values = form_values(page, "receive")
    act(client, dossier, "note", {"text": "Ghi chú"})
    response = client.post(f"/hop-thu/ho-so/{dossier.id}/thao-tac/receive", data=values)
    assert response.status_code == 302
