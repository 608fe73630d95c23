"""The leader reads the right figures for a period: channels, timeliness, per field and per staff."""
from datetime import date, datetime

from commune.core.calendar import WorkingCalendar
from commune.reports.periods import Period, make_period
from commune.reports.queries import compute_figures

APRIL_MAY = Period(date(2026, 4, 1), date(2026, 5, 31))
TODAY = date(2026, 5, 20)


def test_the_due_date_in_the_fixture_skips_the_april_holidays(app):
    assert WorkingCalendar().due_date(datetime(2026, 4, 29, 1), 2) == date(2026, 5, 5)


def test_overall_figures_count_channels_and_timeliness(known):
    o = compute_figures(APRIL_MAY, today=TODAY).overall
    assert (o.online, o.counter, o.post, o.received) == (4, 2, 1, 7)
    assert o.online_share == 57.1
    assert (o.early, o.on_time, o.late, o.resolved) == (1, 1, 1, 3)
    assert o.on_time_pct == 66.7
    assert (o.within_time, o.overdue) == (1, 1)
    assert (o.refused, o.withdrawn) == (1, 1)


def test_average_processing_time_counts_working_days_only(known):
    # 29/4 -> 4/5 is 1 working day, -> 5/5 is 2, -> 6/5 (local) is 3.
    assert compute_figures(APRIL_MAY, today=TODAY).overall.avg_days == 2.0


def test_figures_per_field_and_per_procedure(known):
    figures = compute_figures(APRIL_MAY, today=TODAY)
    fields = {row.name: row for row in figures.by_field}
    assert (fields["Thử nghiệm"].received, fields["Thử nghiệm"].early, fields["Thử nghiệm"].on_time) == (4, 1, 1)
    assert (fields["Đất đai"].received, fields["Đất đai"].late, fields["Đất đai"].overdue) == (3, 1, 1)
    assert fields["Đất đai"].on_time_pct == 0.0
    procedures = {row.name: row for row in figures.by_procedure}
    assert procedures["Đăng ký khai sinh (thử)"].refused == 1
    assert procedures["Xác nhận đất đai (thử)"].withdrawn == 1


def test_figures_per_staff_member(known, app):
    from commune.extensions import db
    from tests.factories import make_user

    officer = make_user("officer", full_name="Trần Thị Bình")
    known["dossiers"]["late"].assignee_id = officer.id
    db.session.commit()
    staff = {row.name: row for row in compute_figures(APRIL_MAY, today=TODAY).by_staff}
    assert staff["Trần Thị Bình"].late == 1
    assert staff["Chưa phân công"].received == 6


def test_monthly_bars_split_received_and_resolved(known):
    months = compute_figures(APRIL_MAY, today=TODAY).months
    assert months == [
        {"month": "2026-04", "received": 3, "early": 0, "on_time": 0, "late": 0},
        {"month": "2026-05", "received": 4, "early": 1, "on_time": 1, "late": 1},
    ]


def test_a_period_outside_the_dossiers_is_empty_but_shows_open_work(known):
    o = compute_figures(Period(date(2026, 1, 1), date(2026, 1, 31)), today=TODAY).overall
    assert o.received == 0 and o.resolved == 0 and o.on_time_pct is None
    # Open dossiers that arrived later than the period are not counted in it.
    assert o.in_progress == 0


def test_period_kinds():
    today = date(2026, 11, 22)
    assert make_period("thang-nay", today=today) == Period(date(2026, 11, 1), date(2026, 11, 30), "thang-nay")
    assert make_period("thang-truoc", today=today).start == date(2026, 10, 1)
    assert make_period("quy-nay", today=today) == Period(date(2026, 10, 1), date(2026, 12, 31), "quy-nay")
    assert make_period("nam-nay", today=today).end == date(2026, 12, 31)
    custom = make_period("tuy-chon", date(2026, 5, 31), date(2026, 4, 1), today=today)
    assert (custom.start, custom.end) == (date(2026, 4, 1), date(2026, 5, 31))


def test_satisfaction_counts_ratings_given_in_the_period(known):
    from commune.extensions import db
    from commune.tracking.models import Rating

    for key, score, when in (("early", "satisfied", datetime(2026, 5, 4, 3)),
                             ("on_time", "satisfied", datetime(2026, 5, 6, 3)),
                             ("late", "unsatisfied", datetime(2026, 5, 7, 3)),
                             ("before", "neutral", datetime(2026, 3, 4, 3))):
        db.session.add(Rating(dossier_id=known["dossiers"][key].id, score=score, created_at=when))
    db.session.commit()
    satisfaction = compute_figures(APRIL_MAY, today=TODAY).satisfaction
    assert (satisfaction["satisfied"], satisfaction["neutral"], satisfaction["unsatisfied"]) == (2, 0, 1)
    assert satisfaction["pct"] == 66.7


def test_a_dossier_returned_on_an_apology_date_still_counts_as_late(known):
    """Form 04 sets a new date, but the office missed its promise: the figures say late."""
    from commune.extensions import db

    on_time = known["dossiers"]["on_time"]
    on_time.missed_due_date = date(2026, 5, 4)  # the first promise, missed; due_date is the new one
    db.session.commit()
    o = compute_figures(APRIL_MAY, today=TODAY).overall
    assert (o.early, o.on_time, o.late) == (1, 0, 2)


def test_an_open_dossier_past_its_first_promise_is_overdue_despite_a_new_date(known):
    from commune.extensions import db

    within = known["dossiers"]["within"]
    within.missed_due_date = date(2026, 5, 19)
    db.session.commit()
    o = compute_figures(APRIL_MAY, today=TODAY).overall
    assert (o.within_time, o.overdue) == (0, 2)
