"""What the inbox keeps between requests (the catalog's lists, the working calendar) follows
every committed edit: nothing stale after the admin changes it."""
from datetime import timedelta

from commune.core.calendar import OFF, CalendarDay
from commune.core.timeutil import local_today
from commune.extensions import db
from commune.inbox import tabs
from tests.factories import make_procedure


def test_a_new_procedure_shows_in_the_filter_at_once(client, login_as):
    login_as("clerk")
    make_procedure(name="Thủ tục thứ nhất")
    db.session.commit()
    assert "Thủ tục thứ nhất" in client.get("/hop-thu").get_data(as_text=True)
    make_procedure(name="Thủ tục mới thêm")
    db.session.commit()
    assert "Thủ tục mới thêm" in client.get("/hop-thu").get_data(as_text=True)


def test_a_day_off_the_admin_adds_counts_in_the_next_request(app):
    with app.test_request_context():
        day = local_today() + timedelta(days=30)
        while not tabs.Context().calendar.is_working_day(day):
            day += timedelta(days=1)
        db.session.add(CalendarDay(day=day, kind=OFF, note="Nghỉ bù"))
        db.session.commit()
    with app.test_request_context():
        assert not tabs.Context().calendar.is_working_day(day)
