"""Staff sessions end on their own on a shared office computer: after 30 minutes without use and
12 hours after login, the next page asks for the password again and then goes back where it was.
Time is moved by rewriting the times the signed session keeps (no sleeping)."""
import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from flask_login import COOKIE_NAME
from flask_login.utils import encode_cookie

from commune.accounts import session_life
from commune.extensions import db
from tests.factories import PASSWORD, make_user

EXPIRED = "Phiên làm việc đã hết hạn, vui lòng đăng nhập lại"


def login(client, username="canbo", password=PASSWORD, **kwargs):
    return client.post("/dang-nhap", data={"username": username, "password": password}, **kwargs)


def _signed_in(client, role="clerk"):
    user = make_user(role, username="canbo")
    db.session.commit()
    assert login(client).status_code == 302
    return user


def _move_clock(client, *, since_login=None, since_seen=None):
    """Make the session look as if it began / was last used this long ago."""
    now = int(time.time())
    with client.session_transaction() as session:
        if since_login is not None:
            session[session_life.LOGIN_AT] = now - int(since_login.total_seconds())
        if since_seen is not None:
            session[session_life.SEEN_AT] = now - int(since_seen.total_seconds())


def _expect_login_page(client, response, back_to):
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/dang-nhap" and parse_qs(location.query)["next"] == [back_to]
    page = client.get(response.headers["Location"])
    assert EXPIRED in page.get_data(as_text=True)
    return page


def test_a_session_left_alone_for_half_an_hour_ends_and_login_goes_back_to_the_page(client, app):
    _signed_in(client)
    _move_clock(client, since_seen=timedelta(minutes=29))
    assert client.get("/hop-thu").status_code == 200  # 29 minutes: still working
    _move_clock(client, since_seen=timedelta(minutes=31))
    response = client.get("/hop-thu?tab=overdue")
    _expect_login_page(client, response, "/hop-thu?tab=overdue")
    assert client.get("/hop-thu").status_code == 302  # the old session is gone for good
    again = client.post(response.headers["Location"], data={"username": "canbo", "password": PASSWORD})
    assert again.status_code == 302 and again.headers["Location"].endswith("/hop-thu?tab=overdue")
    assert client.get("/hop-thu").status_code == 200


def test_using_the_site_keeps_the_session_alive_until_its_twelve_hours_are_over(client, app):
    _signed_in(client)
    _move_clock(client, since_login=timedelta(hours=11, minutes=50), since_seen=timedelta(minutes=25))
    assert client.get("/hop-thu").status_code == 200
    with client.session_transaction() as session:  # that visit counted: the idle time starts again
        assert int(time.time()) - session[session_life.SEEN_AT] < 5
    _move_clock(client, since_login=timedelta(hours=12, minutes=1))
    _expect_login_page(client, client.get("/hop-thu"), "/hop-thu")


def test_a_form_sent_after_the_session_ended_comes_back_to_the_page_that_showed_it(client, app):
    _signed_in(client)
    _move_clock(client, since_seen=timedelta(hours=1))
    response = client.post("/tai-khoan/mat-khau", data={"current": PASSWORD, "new": "mat-khau-moi-456",
                                                        "confirm": "mat-khau-moi-456"},
                           headers={"Referer": "http://localhost/tai-khoan/mat-khau"})
    _expect_login_page(client, response, "/tai-khoan/mat-khau")
    assert login(client, "canbo", PASSWORD).status_code == 302  # the password did not change


def test_an_htmx_request_after_the_end_sends_the_whole_page_to_the_login(client, app):
    _signed_in(client)
    _move_clock(client, since_seen=timedelta(hours=1))
    response = client.get("/hop-thu?tab=overdue", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/dang-nhap?next=")
    assert EXPIRED in client.get(response.headers["HX-Redirect"]).get_data(as_text=True)


def test_each_new_login_starts_a_new_clock(client, app):
    _signed_in(client)
    _move_clock(client, since_login=timedelta(hours=13), since_seen=timedelta(hours=13))
    assert client.get("/hop-thu").status_code == 302
    assert login(client).status_code == 302
    assert client.get("/hop-thu").status_code == 200


def test_a_session_without_its_times_is_not_trusted(client, app):
    """A cookie from before this check, or rebuilt by a "remember me" cookie: it must log in again."""
    user = _signed_in(client)
    with client.session_transaction() as session:
        del session[session_life.LOGIN_AT]
    assert client.get("/hop-thu").status_code == 302
    # Flask-Login's "remember me" is never issued; one signed with the site's own key still opens nothing.
    other = app.test_client()
    with app.test_request_context():
        other.set_cookie(COOKIE_NAME, encode_cookie(user.get_id()))
    assert other.get("/hop-thu").status_code == 302


def test_logout_password_change_and_deactivation_still_end_copied_sessions(app, client):
    user = _signed_in(client)
    copies = []
    for _ in range(3):
        copy = app.test_client()
        with client.session_transaction() as original, copy.session_transaction() as stolen:
            stolen.update(dict(original))
        assert copy.get("/hop-thu").status_code == 200
        copies.append(copy)
    assert client.post("/tai-khoan/mat-khau", data={"current": PASSWORD, "new": "mat-khau-moi-456",
                                                    "confirm": "mat-khau-moi-456"}).status_code == 302
    assert client.get("/hop-thu").status_code == 200  # this session carries on, with a fresh clock
    assert copies[0].get("/hop-thu").status_code == 302
    with client.session_transaction() as original, copies[1].session_transaction() as stolen:
        stolen.update(dict(original))
    client.post("/dang-xuat")
    assert copies[1].get("/hop-thu").status_code == 302
    login(client, password="mat-khau-moi-456")
    with client.session_transaction() as original, copies[2].session_transaction() as stolen:
        stolen.update(dict(original))
    assert copies[2].get("/hop-thu").status_code == 200
    user.active = False
    db.session.commit()
    assert copies[2].get("/hop-thu").status_code == 302


def test_idle_and_lifetime_follow_the_settings(client, app):
    app.config.update(COMMUNE_STAFF_IDLE_MINUTES=5, COMMUNE_STAFF_SESSION_HOURS=1)
    _signed_in(client)
    _move_clock(client, since_seen=timedelta(minutes=6))
    assert client.get("/hop-thu").status_code == 302
    login(client)
    _move_clock(client, since_login=timedelta(minutes=61))
    assert client.get("/hop-thu").status_code == 302
