"""Due dates in working days around Tết, 30/4–1/5, 2/9, weekends and the cut-off (real 2026–2027 dates)."""
from datetime import date, datetime, time, timedelta

import pytest

from commune.core.calendar import OFF, WORKING, CalendarDay, WorkingCalendar, compute_due_date, parse_cutoff
from commune.extensions import db


def utc(y, m, d, hh=9, mm=0):
    """A local (Asia/Ho_Chi_Minh, UTC+7) wall-clock time as the naive UTC the database stores."""
    return datetime(y, m, d, hh, mm) - timedelta(hours=7)


@pytest.fixture
def cal():
    return WorkingCalendar()


@pytest.mark.parametrize(("received", "days", "due"), [
    # Tết Bính Ngọ 2026: Mon 16 – Fri 20 Feb off.
    (utc(2026, 2, 13, 10), 3, date(2026, 2, 25)),
    (utc(2026, 2, 13, 10), 0, date(2026, 2, 13)),
    (utc(2026, 2, 13, 15, 30), 0, date(2026, 2, 23)),  # after the cut-off on the last day before Tết
    (utc(2026, 2, 12, 10), 1, date(2026, 2, 13)),
    (utc(2026, 2, 12, 10), 2, date(2026, 2, 23)),
    (utc(2026, 2, 17, 8), 0, date(2026, 2, 23)),  # sent online during Tết: counts from the first day back
    (utc(2026, 2, 17, 8), 2, date(2026, 2, 25)),
    # Tết Đinh Mùi 2027: Thu 4 – Wed 10 Feb off.
    (utc(2027, 2, 3, 10), 2, date(2027, 2, 12)),
    (utc(2027, 2, 3, 10), 1, date(2027, 2, 11)),
    (utc(2027, 2, 8, 10), 0, date(2027, 2, 11)),
    # Hùng Kings 2026 (observed Mon 27 Apr) then 30/4 (Thu) and 1/5 (Fri).
    (utc(2026, 4, 24, 9), 3, date(2026, 5, 4)),
    (utc(2026, 4, 29, 9), 1, date(2026, 5, 4)),
    # 2027: 1/5 is a Saturday, observed Mon 3 May.
    (utc(2027, 4, 29, 9), 1, date(2027, 5, 4)),
    # National Day 2026: Mon 31 Aug (swapped with Sat 22 Aug), Tue 1 and Wed 2 Sep off.
    (utc(2026, 8, 28, 10), 2, date(2026, 9, 4)),
    (utc(2026, 8, 21, 10), 1, date(2026, 8, 22)),  # Sat 22 Aug 2026 is a make-up working day
    # National Day 2027: Thu 2 and Fri 3 Sep off.
    (utc(2027, 9, 1, 9), 1, date(2027, 9, 6)),
    # Weekends.
    (utc(2026, 11, 7, 10), 1, date(2026, 11, 10)),  # received Saturday (online)
    # The cut-off, by default 15:00 (the procedure texts' "tiếp nhận sau 15 giờ").
    (utc(2026, 11, 6, 15, 5), 1, date(2026, 11, 10)),  # Friday after the cut-off
    (utc(2026, 11, 6, 14, 59), 1, date(2026, 11, 9)),  # Friday just before the cut-off
    (utc(2026, 11, 6, 15, 0), 0, date(2026, 11, 9)),  # exactly at the cut-off counts as after
    (utc(2026, 11, 4, 9), 5, date(2026, 11, 11)),
])
def test_due_date_counts_working_days(cal, received, days, due):
    assert cal.due_date(received, days) == due


def test_same_day_procedure_is_due_the_day_it_is_received(cal):
    assert cal.due_date(utc(2026, 11, 12, 8), 0) == date(2026, 11, 12)


def test_unpublished_processing_time_gives_no_due_date(cal):
    assert cal.due_date(utc(2026, 11, 12, 8), None) is None


def test_cut_off_is_configurable(cal):
    received = utc(2026, 11, 12, 15, 30)
    assert cal.due_date(received, 0, cutoff=time(16, 0)) == date(2026, 11, 12)
    assert cal.due_date(received, 0, cutoff=parse_cutoff("15:00")) == date(2026, 11, 13)
    assert cal.due_date(received, 0) == date(2026, 11, 13)  # the default is 15:00


@pytest.mark.parametrize(("text", "cutoff"), [
    ("15:00", time(15, 0)), ("16:30", time(16, 30)), ("", time(15, 0)), (None, time(15, 0)),
    ("25:99", time(15, 0)), ("4pm", time(15, 0)),
])
def test_a_malformed_cut_off_falls_back_to_the_default(text, cutoff):
    assert parse_cutoff(text) == cutoff


def test_a_date_without_time_counts_from_that_day(cal):
    assert cal.due_date(date(2026, 2, 13), 1) == date(2026, 2, 23)


def test_new_vietnam_cultural_day_is_a_holiday(cal):
    assert not cal.is_working_day(date(2026, 11, 24))
    assert cal.due_date(utc(2026, 11, 23, 9), 1) == date(2026, 11, 25)


def test_admin_make_up_saturday_and_extra_day_off_change_the_due_date(app):
    received = utc(2026, 11, 13, 10)  # Friday
    assert compute_due_date(received, 1) == date(2026, 11, 16)
    db.session.add(CalendarDay(day=date(2026, 11, 14), kind=WORKING, note="Làm bù"))
    db.session.commit()
    assert compute_due_date(received, 1) == date(2026, 11, 14)
    db.session.add(CalendarDay(day=date(2026, 11, 16), kind=OFF, note="Nghỉ thêm"))
    db.session.commit()
    assert compute_due_date(received, 2) == date(2026, 11, 17)


def test_admin_can_cancel_a_national_make_up_day(app):
    db.session.add(CalendarDay(day=date(2026, 8, 22), kind=OFF, note="Không làm bù"))
    db.session.commit()
    assert compute_due_date(utc(2026, 8, 21, 10), 1) == date(2026, 8, 24)


def test_received_on_extra_day_off_counts_from_the_next_working_day(app):
    db.session.add(CalendarDay(day=date(2026, 11, 16), kind=OFF))
    db.session.commit()
    assert compute_due_date(utc(2026, 11, 16, 9), 0) == date(2026, 11, 17)


def test_working_days_between_skips_tet(cal):
    assert cal.working_days_between(date(2026, 2, 13), date(2026, 2, 23)) == 1
    assert cal.working_days_between(date(2026, 2, 23), date(2026, 2, 13)) == -1
    assert cal.working_days_between(date(2026, 2, 13), date(2026, 2, 13)) == 0


def test_next_working_day_after_tet_2027(cal):
    assert cal.next_working_day(date(2027, 2, 3)) == date(2027, 2, 11)
    assert cal.next_working_day(date(2027, 2, 11), include_today=True) == date(2027, 2, 11)
