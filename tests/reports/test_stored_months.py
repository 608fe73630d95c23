"""Closed months are stored so a year's figures stay quick, and a stored month is never out of date."""
from datetime import date, datetime

import sqlalchemy as sa

from commune.core.calendar import OFF, CalendarDay, WorkingCalendar
from commune.core.timeutil import local_today
from commune.dossiers.models import CHANNEL_COUNTER, CHANNEL_ONLINE, Dossier
from commune.extensions import db
from commune.reports import month_cache
from commune.reports.models import ReportMonth, ReportMonthCount
from commune.reports.periods import Period
from commune.reports.queries import compute_figures
from tests.factories import make_dossier, make_user

APRIL_MAY = Period(date(2026, 4, 1), date(2026, 5, 31))
MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))
TODAY = date(2026, 5, 20)  # April is closed and may be stored; May is still open


def stored_key(month):
    return db.session.scalar(sa.select(ReportMonth.key).where(ReportMonth.month == month))


def april_key():
    return month_cache.month_key(WorkingCalendar.load(), date(2026, 4, 1), date(2026, 4, 30))


def summary(figures):
    o = figures.overall
    return (o.online, o.counter, o.post, o.early, o.on_time, o.late, o.refused, o.withdrawn,
            o.within_time, o.overdue, o.avg_days, figures.months)


def test_a_closed_month_is_stored_and_read_back_with_the_same_figures(known):
    first = compute_figures(APRIL_MAY, today=TODAY)
    assert stored_key("2026-04") == april_key()
    assert stored_key("2026-05") in (None, "")  # the open month is always counted live
    second = compute_figures(APRIL_MAY, today=TODAY)
    assert summary(second) == summary(first)
    assert (second.overall.received, second.overall.resolved) == (7, 3)
    # The second view really reads the stored counts: a changed stored row shows.
    row = db.session.scalars(sa.select(ReportMonthCount).where(ReportMonthCount.month == "2026-04")).first()
    row.online += 10
    db.session.commit()
    assert compute_figures(APRIL_MAY, today=TODAY).overall.online == first.overall.online + 10


def test_changing_a_dossier_of_a_stored_month_counts_that_month_again(known):
    compute_figures(APRIL_MAY, today=TODAY)
    officer = make_user("officer", full_name="Lê Văn Cường")
    on_time = known["dossiers"]["on_time"]  # arrived 29/4 at the counter
    on_time.channel = CHANNEL_ONLINE
    on_time.assignee_id = officer.id
    db.session.commit()
    assert stored_key("2026-04") == ""
    figures = compute_figures(APRIL_MAY, today=TODAY)
    assert (figures.overall.online, figures.overall.counter) == (5, 1)
    assert {row.name: row.received for row in figures.by_staff}["Lê Văn Cường"] == 1


def test_a_dossier_entered_late_into_a_stored_month_is_counted(known):
    assert compute_figures(MARCH, today=TODAY).overall.received == 1
    make_dossier(known["civil"], "returned", CHANNEL_COUNTER, received_at=datetime(2026, 3, 9, 2),
                 submitted_at=datetime(2026, 3, 9, 2), due_date=date(2026, 3, 11),
                 finished_at=datetime(2026, 3, 12, 2), code="LATEENTRY1")
    db.session.commit()
    o = compute_figures(MARCH, today=TODAY).overall
    assert (o.received, o.counter, o.late) == (2, 1, 1)


def test_deleting_a_dossier_of_a_stored_month_takes_it_out(known):
    assert compute_figures(MARCH, today=TODAY).overall.resolved == 1
    db.session.delete(known["dossiers"]["before"])
    db.session.commit()
    assert compute_figures(MARCH, today=TODAY).overall.resolved == 0


def test_a_day_off_added_by_the_admin_changes_the_stored_working_days(known):
    # "before": received Monday 2/3, returned Tuesday 3/3 -> one working day.
    assert compute_figures(MARCH, today=TODAY).overall.avg_days == 1.0
    db.session.add(CalendarDay(day=date(2026, 3, 3), kind=OFF, note="Nghỉ bù"))
    db.session.commit()
    assert compute_figures(MARCH, today=TODAY).overall.avg_days == 0.0


def test_a_day_off_added_for_a_later_month_keeps_the_stored_month(known):
    compute_figures(APRIL_MAY, today=TODAY)
    key = stored_key("2026-04")
    db.session.add(CalendarDay(day=date(2026, 5, 15), kind=OFF, note="Nghỉ bù"))
    db.session.commit()
    compute_figures(APRIL_MAY, today=TODAY)
    assert stored_key("2026-04") == key == april_key()


def test_counts_read_before_a_change_are_never_stored(known):
    """A leader's page counts April while a clerk corrects an April dossier: April is not stored."""
    key = april_key()
    _stored, stale = month_cache.read_states({"2026-04": key})
    known["dossiers"]["late"].channel = CHANNEL_ONLINE
    db.session.commit()
    assert month_cache.store_month("2026-04", stale["2026-04"], key, {}) is False
    assert stored_key("2026-04") == ""
    assert compute_figures(APRIL_MAY, today=TODAY).overall.online == 5


def test_uncommitted_changes_are_counted_but_never_stored(known):
    known["dossiers"]["late"].channel = CHANNEL_ONLINE
    db.session.flush()
    assert compute_figures(APRIL_MAY, today=TODAY).overall.online == 5
    db.session.rollback()
    assert stored_key("2026-04") in (None, "")
    assert compute_figures(APRIL_MAY, today=TODAY).overall.online == 4


def test_the_month_that_just_ended_is_not_stored_until_a_day_later(known):
    compute_figures(APRIL_MAY, today=date(2026, 5, 1))
    assert stored_key("2026-04") in (None, "")
    compute_figures(APRIL_MAY, today=date(2026, 5, 2))
    assert stored_key("2026-04") == april_key()


def test_a_bulk_insert_of_dossiers_makes_every_stored_month_stale(known):
    compute_figures(APRIL_MAY, today=TODAY)
    row = {"code": "BULK000001", "procedure_id": known["civil"].id, "procedure_snapshot": {},
           "status": "returned", "channel": CHANNEL_COUNTER, "applicant_name": "Phạm Thị Dung",
           "submitted_at": datetime(2026, 4, 6, 2), "received_at": datetime(2026, 4, 6, 2),
           "due_date": date(2026, 4, 8), "finished_at": datetime(2026, 4, 7, 2), "form_data": {}, "version": 1}
    db.session.execute(sa.insert(Dossier), [row])
    db.session.commit()
    assert stored_key("2026-04") == ""
    assert compute_figures(APRIL_MAY, today=TODAY).overall.received == 8


def months_back_to_april():
    """Enough months for `reports store` to reach back from the real today to April 2026."""
    today = local_today()
    return (today.year - 2026) * 12 + today.month - 4 + 1


def test_the_store_command_fills_the_closed_months(known, runner):
    months = months_back_to_april()
    result = runner.invoke(args=["reports", "store", "--months", str(months)])
    assert result.exit_code == 0, result.output
    assert f"{months} of the last {months} closed months stored" in result.output
    assert stored_key("2026-04") == april_key()
    assert db.session.scalar(sa.select(sa.func.sum(ReportMonthCount.counter))
                             .where(ReportMonthCount.month == "2026-04")) == 1


def test_the_store_command_recounts_after_a_repair_by_raw_sql(known, runner):
    months = str(months_back_to_april())
    runner.invoke(args=["reports", "store", "--months", months])
    # A repair that bypasses the ORM (and so the listener) moves the counter dossier to the post.
    db.session.execute(sa.text("UPDATE dossiers SET channel = 'post' WHERE code = 'ONTIME0001'"))
    db.session.commit()
    assert compute_figures(APRIL_MAY, today=TODAY).overall.counter == 2  # the stored April is stale
    result = runner.invoke(args=["reports", "store", "--months", months, "--recount"])
    assert result.exit_code == 0, result.output
    assert compute_figures(APRIL_MAY, today=TODAY).overall.counter == 1


def test_the_leaders_page_stores_the_closed_months_it_shows(known, client, login_as):
    login_as("leader")
    response = client.get("/so-lieu?ky=tuy-chon&tu=2026-04-01&den=2026-05-31")
    assert response.status_code == 200
    db.session.rollback()  # read what the request's own transaction left behind
    assert stored_key("2026-04") == april_key()
    assert stored_key("2026-05") == month_cache.month_key(WorkingCalendar.load(), date(2026, 5, 1), date(2026, 5, 31))
