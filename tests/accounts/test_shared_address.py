"""An officer logs in from the address where someone else failed: the office's desk and the waiting
room's Wi-Fi leave through one address, and a stranger's wrong passwords there must slow the
stranger, never the officer whose browser has signed in as that name before."""
import pytest

from commune.accounts import services
from commune.accounts.services import FREE_FAILURES
from commune.extensions import db
from tests.conftest import make_app
from tests.factories import PASSWORD, make_user

OFFICE = "10.1.0.5"  # the one address the whole commune office leaves through


def login(browser, username="canbo", password=PASSWORD):
    return browser.post("/dang-nhap", data={"username": username, "password": password},
                        environ_base={"REMOTE_ADDR": OFFICE})


def open_inbox(browser):
    return browser.get("/hop-thu", environ_base={"REMOTE_ADDR": OFFICE})


@pytest.fixture
def hash_checks(monkeypatch):
    """How many passwords the login checked (the real check runs)."""
    seen = []
    real = services.check_password_hash

    def counting(pwhash, password):
        seen.append(1)
        return real(pwhash, password)

    monkeypatch.setattr(services, "check_password_hash", counting)
    return seen


def _officer_who_signed_in_here_yesterday(app):
    make_user("clerk", username="canbo")
    db.session.commit()
    officer = app.test_client()
    assert login(officer).status_code == 302
    officer.post("/dang-xuat", environ_base={"REMOTE_ADDR": OFFICE})
    return officer


def test_an_officer_logs_in_from_the_address_where_a_stranger_failed(app, hash_checks):
    officer = _officer_who_signed_in_here_yesterday(app)
    stranger = app.test_client()
    for _ in range(FREE_FAILURES + 2):
        login(stranger, password="doan-mo")
    refused = login(stranger)  # even the right password, from a browser that never signed in as canbo
    assert refused.status_code == 429 and "Vui lòng đợi" in refused.get_data(as_text=True)

    hash_checks.clear()
    response = login(officer)
    assert response.status_code == 302 and response.headers["Location"].endswith("/hop-thu")
    assert open_inbox(officer).status_code == 200
    assert hash_checks == [1]  # the officer's password was checked, once


def test_a_new_browser_still_waits_without_its_password_being_checked(app, hash_checks):
    _officer_who_signed_in_here_yesterday(app)
    stranger = app.test_client()
    for _ in range(FREE_FAILURES + 1):
        login(stranger, password="doan-mo")
    hash_checks.clear()
    new_browser = app.test_client()  # the officer on another computer, or the stranger: no way to tell
    for password in ("doan-tiep", PASSWORD):
        response = login(new_browser, password=password)
        assert response.status_code == 429 and int(response.headers["Retry-After"]) >= 1
    assert hash_checks == []  # refused before any password is checked: the wait cannot be guessed through
    assert open_inbox(new_browser).status_code == 302


def test_the_officers_browser_is_known_for_its_own_names_only(app):
    _officer_who_signed_in_here_yesterday(app)
    make_user("clerk", username="ketoan")
    db.session.commit()
    officer, stranger = app.test_client(), app.test_client()
    assert login(officer).status_code == 302  # canbo's browser
    officer.post("/dang-xuat", environ_base={"REMOTE_ADDR": OFFICE})
    for _ in range(FREE_FAILURES + 1):
        login(stranger, "ketoan", "doan-mo")
    # Another name typed on canbo's browser shares the address's wait: the cookie vouches for canbo only.
    assert login(officer, "ketoan").status_code == 429


def test_strangers_filling_the_address_limit_do_not_refuse_the_officers_browser(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMUNE_INSTANCE_PATH", str(tmp_path / "instance"))
    app = make_app(tmp_path, COMMUNE_LOGIN_LIMIT="5 per minute")
    with app.app_context():
        officer = _officer_who_signed_in_here_yesterday(app)  # one of the address's five
        strangers = [app.test_client() for _ in range(4)]
        for number, stranger in enumerate(strangers):
            login(stranger, f"ai-do-{number}", "sai")
        # The address has used its five attempts this minute: every other browser there waits ...
        response = login(app.test_client(), "ai-do-khac", "sai")
        assert response.status_code == 429 and "Bạn đã thử quá nhiều lần" in response.get_data(as_text=True)
        assert login(app.test_client()).status_code == 429
        # ... but the officer's browser has its own budget for its own name.
        assert login(officer).status_code == 302
        assert open_inbox(officer).status_code == 200
        db.session.remove()
        db.engine.dispose()


def test_the_officers_own_browser_is_limited_too(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMUNE_INSTANCE_PATH", str(tmp_path / "instance"))
    app = make_app(tmp_path, COMMUNE_LOGIN_LIMIT="3 per minute")
    with app.app_context():
        officer = _officer_who_signed_in_here_yesterday(app)
        statuses = [login(officer, password="go-nham").status_code for _ in range(4)]
        assert statuses == [400, 400, 400, 429]  # a stolen laptop guesses no faster than anyone
        db.session.remove()
        db.engine.dispose()
