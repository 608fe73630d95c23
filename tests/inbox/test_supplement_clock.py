"""The clock stops for a supplement and restarts in full when the villager answers."""
from datetime import date, timedelta

from commune.core.calendar import WorkingCalendar
from commune.core.timeutil import utcnow
from commune.dossiers.models import Dossier
from commune.dossiers.states import Status
from commune.dossiers.workflow import transition
from commune.extensions import db
from commune.inbox import filtering, tabs
from tests.journeys import act


def test_supplement_answer_restarts_the_full_processing_time(client, login_as, dossier_in):
    login_as("clerk")
    dossier = dossier_in("received", received_at=utcnow() - timedelta(days=20), due_date=date(2020, 1, 1))
    act(client, dossier, "supplement", {"items": "0", "message": "Thiếu tờ khai"})
    dossier = db.session.get(Dossier, dossier.id)
    assert dossier.status == "needs_supplement"
    # While waiting, the dossier is not overdue (the clock is stopped).
    counts = tabs.counts(filtering.Filters(tab="all"), tabs.Context())
    assert counts["overdue"] == 0 and counts["supplement"] == 1
    # The villager answers (the tracking feature moves it back).
    event = transition(dossier, Status.RECEIVED, note="Đã bổ sung", actor_label="Công dân")
    db.session.commit()
    assert dossier.due_date == WorkingCalendar.load().due_date(event.at, 3)
    assert dossier.due_date > date(2020, 1, 1)


def test_answer_before_receipt_goes_back_to_waiting_without_due_date(client, login_as, dossier_in):
    login_as("clerk")
    dossier = dossier_in("submitted")
    act(client, dossier, "supplement", {"items": "1", "message": "Ảnh mờ"})
    dossier = db.session.get(Dossier, dossier.id)
    transition(dossier, Status.SUBMITTED, actor_label="Công dân")
    db.session.commit()
    assert dossier.status == "submitted" and dossier.due_date is None
