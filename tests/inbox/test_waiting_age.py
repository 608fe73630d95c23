"""Dossiers waiting to be received show how long they have waited, in office hours on working
days; the row turns amber after half a day (4 h) and red after a whole working day (7.5 h)."""
import re
from datetime import date, datetime

import pytest

from commune.core.calendar import OFFICE_HOURS, WorkingCalendar, working_seconds_between
from commune.extensions import db
from commune.inbox import queries, tabs
from tests.factories import make_dossier


def utc(day, hour, minute=0):
    """A local (Asia/Ho_Chi_Minh, UTC+7) time in November 2026, as the naive UTC the database keeps."""
    return datetime(2026, 11, day, hour - 7, minute)


NOW = utc(18, 10)  # Wednesday 18/11/2026, 10:00 at the desk


@pytest.fixture
def desk_clock(monkeypatch):
    monkeypatch.setattr(tabs, "utcnow", lambda: NOW)  # the inbox's Context reads the clock


def row_of(html, name):
    match = re.search(r'<tr class="([^"]*)">(?:(?!</tr>).)*?' + re.escape(name) + r"(?:(?!</tr>).)*</tr>", html, re.S)
    assert match, name
    return match.group(1), match.group(0)


def test_a_dossier_two_working_days_old_is_red_and_one_an_hour_old_has_no_colour(
        client, login_as, procedure, desk_clock):
    login_as("clerk")
    make_dossier(procedure, "submitted", applicant_name="Chờ Lâu", submitted_at=utc(16, 10))  # Monday 10:00
    make_dossier(procedure, "submitted", applicant_name="Chờ Vừa", submitted_at=utc(17, 14))  # Tuesday 14:00
    make_dossier(procedure, "submitted", applicant_name="Mới Đến", submitted_at=utc(18, 9))  # an hour ago
    db.session.commit()
    html = client.get("/hop-thu?tab=waiting").get_data(as_text=True)

    css, row = row_of(html, "Chờ Lâu")
    assert css == "row-wait-late" and '<span class="badge badge-red">đã chờ 15 giờ làm việc</span>' in row

    css, row = row_of(html, "Chờ Vừa")  # 3 h on Tuesday afternoon + 2.5 h this morning
    assert css == "row-wait-long" and '<span class="badge badge-amber">đã chờ 5 giờ làm việc</span>' in row

    css, row = row_of(html, "Mới Đến")
    assert css == "" and '<small class="wait">đã chờ 1 giờ làm việc</small>' in row


def test_a_received_dossier_shows_no_waiting_time(client, login_as, procedure, desk_clock):
    login_as("clerk")
    make_dossier(procedure, "received", applicant_name="Đã Nhận", submitted_at=utc(2, 8))
    db.session.commit()
    _, row = row_of(client.get("/hop-thu?tab=processing").get_data(as_text=True), "Đã Nhận")
    assert "đã chờ" not in row


def hours(start, end, calendar=None):
    return working_seconds_between(calendar or WorkingCalendar(), start, end) / 3600


def test_working_hours_skip_lunch_nights_and_weekends(app):
    assert hours(utc(18, 11), utc(18, 14)) == 1  # 11:00–11:30 and 13:30–14:00
    assert hours(utc(13, 16), utc(16, 8, 30)) == 2  # Friday 16:00 to Monday 08:30
    assert hours(utc(14, 8), utc(15, 16)) == 0  # a weekend
    assert hours(utc(17, 7), utc(17, 18)) == queries.WAIT_RED_HOURS == 7.5  # one working day
    assert hours(utc(18, 10), utc(18, 9)) == 0
    assert OFFICE_HOURS[0][0].isoformat() == "07:30:00"


def test_a_day_the_admin_gives_off_does_not_count(app):
    calendar = WorkingCalendar({date(2026, 11, 17): "off"})
    assert hours(utc(16, 17), utc(18, 7, 30), calendar) == 0  # Tuesday was off
