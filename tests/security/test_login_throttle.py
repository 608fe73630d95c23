"""Logins that neither leak nor lock out: one answer and the same work for every failure; a back-off
per (name, address) that an attacker elsewhere cannot turn against the clerk's desk."""
import re
from datetime import timedelta

import pytest

from commune.accounts import services
from commune.accounts.models import LoginThrottle, User
from commune.accounts.services import FREE_FAILURES
from commune.core.timeutil import utcnow
from commune.extensions import db
from tests.factories import PASSWORD, make_user

CLERK_DESK = "10.1.0.5"
ATTACKER = "203.0.113.66"


def login(client, username, password=PASSWORD, address=CLERK_DESK):
    return client.post("/dang-nhap", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


@pytest.fixture
def hash_checks(monkeypatch):
    """Every password hash the login checks (the real check runs; only the hash's method is recorded)."""
    seen = []
    real = services.check_password_hash

    def spy(pwhash, password):
        seen.append(pwhash.split("$", 1)[0])  # e.g. 'scrypt:32768:8:1'
        return real(pwhash, password)

    monkeypatch.setattr(services, "check_password_hash", spy)
    return seen


def _rows():
    return db.session.scalar(db.select(db.func.count()).select_from(LoginThrottle))


def test_unknown_name_wrong_password_and_deactivated_account_get_one_answer_after_the_same_work(
        client, app, hash_checks):
    clerk = make_user("clerk", username="canbo")
    make_user("clerk", username="nghiviec").active = False
    db.session.commit()
    method = clerk.password_hash.split("$", 1)[0]
    answers = []
    for number, (name, password) in enumerate(
            [("khongco", "sai-mat-khau"), ("canbo", "sai-mat-khau"), ("nghiviec", PASSWORD)], start=1):
        response = login(client, name, password, address=f"10.9.0.{number}")
        html = response.get_data(as_text=True)
        answers.append((response.status_code, html.replace(f'value="{name}"', "")))
        assert "Tên đăng nhập hoặc mật khẩu không đúng." in html
        assert "ngừng hoạt động" not in html and "khóa" not in html.lower()
        # One scrypt check with the real accounts' parameters, and one failure written, every time.
        assert hash_checks == [method] and _rows() == number
        hash_checks.clear()
    assert answers[0] == answers[1] == answers[2]


def test_an_unknown_name_is_slowed_exactly_like_a_real_one(client, app):
    make_user("clerk", username="canbo")
    db.session.commit()
    for name in ("canbo", "khongco"):
        statuses = [login(client, name, "sai", address=ATTACKER).status_code for _ in range(FREE_FAILURES + 2)]
        assert statuses == [400] * FREE_FAILURES + [400, 429]


def test_the_clerk_logs_in_from_the_desk_while_an_attacker_elsewhere_is_slowed_on_the_same_name(
        client, app, hash_checks):
    make_user("clerk", username="canbo")
    db.session.commit()
    for _ in range(FREE_FAILURES + 1):
        login(client, "canbo", "doan-mo", address=ATTACKER)
    hash_checks.clear()
    refused = login(client, "canbo", "doan-tiep", address=ATTACKER)
    assert refused.status_code == 429 and "Vui lòng đợi" in refused.get_data(as_text=True)
    assert hash_checks == []  # a waiting attempt is refused before any password is checked
    # Even a name typed in other case shares the attacker's wait (no way round it) ...
    assert login(client, "CanBo", "doan-tiep", address=ATTACKER).status_code == 429
    # ... while the clerk's own desk signs in at once, with no lock on the account.
    response = login(client, "canbo", address=CLERK_DESK)
    assert response.status_code == 302 and response.headers["Location"].endswith("/hop-thu")
    assert client.get("/hop-thu", environ_base={"REMOTE_ADDR": CLERK_DESK}).status_code == 200


def test_on_one_shared_address_the_clerks_own_browser_still_signs_in(app):
    """The desk and the waiting room's Wi-Fi leave through one address: a guesser there slows only himself."""
    make_user("clerk", username="canbo")
    db.session.commit()
    clerk, stranger = app.test_client(), app.test_client()
    assert login(clerk, "canbo", address=CLERK_DESK).status_code == 302  # yesterday, at the desk
    clerk.post("/dang-xuat", environ_base={"REMOTE_ADDR": CLERK_DESK})
    for _ in range(FREE_FAILURES + 1):
        login(stranger, "canbo", "doan-mo", address=CLERK_DESK)
    assert login(stranger, "canbo", address=CLERK_DESK).status_code == 429
    # The clerk's browser counts on its own, even for a mistake or two ...
    assert login(clerk, "canbo", "go-nham", address=CLERK_DESK).status_code == 400
    assert login(clerk, "canbo", address=CLERK_DESK).status_code == 302
    # ... and a forged device cookie is worth nothing.
    stranger.set_cookie("staff_device", "gia-mao", path="/dang-nhap")
    assert login(stranger, "canbo", address=CLERK_DESK).status_code == 429


def test_each_failure_past_the_free_ones_doubles_the_wait_up_to_a_ceiling(client, app):
    make_user("clerk", username="canbo")
    db.session.commit()
    waits = []
    for _ in range(FREE_FAILURES + 8):
        html = login(client, "canbo", "sai", address=ATTACKER).get_data(as_text=True)
        found = re.search(r"Vui lòng đợi (\d+) (giây|phút) trước khi thử lại", html)
        if found:
            waits.append(int(found[1]) * (60 if found[2] == "phút" else 1))
            assert login(client, "canbo", address=ATTACKER).status_code == 429  # even the right password waits
            row = db.session.scalar(db.select(LoginThrottle))
            row.blocked_until = utcnow() - timedelta(seconds=1)  # let the wait run out
            db.session.commit()
    assert waits == [30, 60, 120, 240, 480, 900, 900, 900]


def test_a_new_password_from_the_admin_ends_every_wait_on_that_name(client, app):
    user = make_user("clerk", username="canbo")
    db.session.commit()
    for _ in range(FREE_FAILURES + 1):
        login(client, "canbo", "sai", address=CLERK_DESK)
    assert login(client, "canbo", address=CLERK_DESK).status_code == 429
    from commune.admin.services import reset_password

    admin = make_user("admin", username="quantri")
    reset_password(admin, db.session.get(User, user.id), "mat-khau-moi-789")
    db.session.commit()
    assert login(client, "canbo", "mat-khau-moi-789", address=CLERK_DESK).status_code == 302


def test_the_throttle_never_stores_the_typed_name(client, app):
    login(client, "mat-khau-go-nham-o-o-ten", "sai", address=ATTACKER)
    row = db.session.scalar(db.select(LoginThrottle))
    assert row.client == ATTACKER and "mat-khau" not in row.username_digest
    assert len(row.username_digest) == 64
