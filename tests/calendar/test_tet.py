"""Tết Nguyên Đán as the holidays package guesses it, until the admin confirms the year."""
from datetime import date, timedelta

from commune.core.calendar import OFF, CalendarDay, WorkingCalendar, tet_confirmation, tet_confirmed, tet_days
from commune.core.settings import set_setting
from commune.extensions import db


def test_tet_days_are_the_lunar_new_year_days_off():
    assert tet_days(2026) == [date(2026, 2, 16) + timedelta(days=i) for i in range(5)]  # Mon 16 – Fri 20 Feb
    assert tet_days(2027) == [date(2027, 2, 4) + timedelta(days=i) for i in range(7)]  # Thu 4 – Wed 10 Feb


def test_a_year_is_a_guess_until_confirmed_and_again_if_the_days_change(app):
    assert not tet_confirmed(2027)
    set_setting(*tet_confirmation(2027))
    assert tet_confirmed(2027) and not tet_confirmed(2026)
    set_setting("tet_confirmed_2027", "2027-02-05,2027-02-06")  # confirmed other days than the calendar uses
    assert not tet_confirmed(2027)


def test_an_admin_day_far_from_tet_does_not_confirm_it(app):
    db.session.add(CalendarDay(day=date(2027, 4, 1), kind=OFF, note="Lễ hội xã"))
    db.session.commit()
    assert not tet_confirmed(2027)


def test_holiday_names_follow_the_language():
    cal = WorkingCalendar()
    assert cal.holiday_name(date(2026, 9, 2), "vi") == "Quốc khánh"
    assert cal.holiday_name(date(2026, 9, 2), "en") == "National Day"
    assert cal.holiday_name(date(2026, 9, 2)) == "Quốc khánh"  # outside a request: Vietnamese
    assert cal.holiday_name(date(2026, 9, 3)) is None
