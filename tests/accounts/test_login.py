"""Staff sign in and out: one refusal for every failure, a back-off instead of a lock, fresh and ended sessions."""
from datetime import timedelta

from commune.accounts.models import LoginThrottle, User
from commune.accounts.services import FREE_FAILURES
from commune.core.timeutil import utcnow
from commune.extensions import db
from tests.conftest import make_app
from tests.factories import PASSWORD, make_user


def login(client, username, password=PASSWORD, **kwargs):
    return client.post("/dang-nhap", data={"username": username, "password": password}, **kwargs)


def test_staff_member_logs_in_and_lands_on_the_inbox(client, app):
    make_user("clerk", username="canbo")
    db.session.commit()
    response = login(client, "canbo")
    assert response.status_code == 302 and response.headers["Location"].endswith("/hop-thu")
    assert client.get("/hop-thu").status_code == 200
    assert db.session.scalar(db.select(User).filter_by(username="canbo")).last_login_at is not None


def test_wrong_password_says_so_and_keeps_the_username(client, app):
    make_user("clerk", username="canbo")
    db.session.commit()
    response = login(client, "canbo", "sai-mat-khau")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in html and 'value="canbo"' in html


def test_no_lock_out_the_right_password_works_after_mistakes_once_the_wait_is_over(client, app):
    make_user("clerk", username="canbo")
    db.session.commit()
    for _ in range(FREE_FAILURES):
        assert login(client, "canbo", "sai").status_code == 400
    response = login(client, "canbo", "sai")
    assert response.status_code == 400
    assert "Vui lòng đợi 30 giây trước khi thử lại." in response.get_data(as_text=True)
    response = login(client, "canbo", "sai")
    assert response.status_code == 429 and int(response.headers["Retry-After"]) >= 30
    html = response.get_data(as_text=True)
    assert "Bạn đã nhập sai nhiều lần. Vui lòng đợi 30 giây rồi thử lại." in html
    assert "khóa" not in html.lower()
    assert login(client, "canbo").status_code == 429  # the wait holds for the right password too
    # Once the wait is over, the right password works and the count starts again.
    for row in db.session.scalars(db.select(LoginThrottle)):
        row.blocked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert login(client, "canbo").status_code == 302
    assert db.session.scalar(db.select(db.func.count()).select_from(LoginThrottle)) == 0


def test_too_many_attempts_from_one_address_are_refused_with_a_clear_message(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMUNE_INSTANCE_PATH", str(tmp_path / "instance"))
    app = make_app(tmp_path, COMMUNE_LOGIN_LIMIT="3 per minute")
    with app.app_context():
        client = app.test_client()
        for _ in range(3):
            assert login(client, "ai-do", "sai").status_code == 400
        response = login(client, "ai-do", "sai")
        assert response.status_code == 429
        assert "Bạn đã thử quá nhiều lần" in response.get_data(as_text=True)
        assert client.get("/dang-nhap").status_code == 200  # reading the page is never limited
        db.session.remove()
        db.engine.dispose()


def test_login_renews_the_session(client, app):
    make_user("clerk", username="canbo")
    db.session.commit()
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    login(client, "canbo")
    with client.session_transaction() as session:
        assert "planted" not in session
        assert "_user_id" in session


def test_logout_ends_the_session_and_a_copied_cookie_no_longer_works(app, client):
    make_user("clerk", username="canbo")
    db.session.commit()
    login(client, "canbo")
    copy = app.test_client()
    with client.session_transaction() as original, copy.session_transaction() as stolen:
        stolen.update(dict(original))
    assert copy.get("/hop-thu").status_code == 200
    response = client.post("/dang-xuat")
    assert response.status_code == 302
    assert client.get("/hop-thu").status_code == 302
    assert copy.get("/hop-thu").status_code == 302


def test_deactivated_account_is_logged_out_at_once(client, app):
    user = make_user("clerk", username="canbo")
    db.session.commit()
    login(client, "canbo")
    assert client.get("/hop-thu").status_code == 200
    user.active = False
    user.rotate_session()
    db.session.commit()
    response = client.get("/hop-thu")
    assert response.status_code == 302 and "/dang-nhap" in response.headers["Location"]
    # The right password of a deactivated account gets the answer any wrong password gets.
    html = login(client, "canbo").get_data(as_text=True)
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in html and "ngừng hoạt động" not in html


def test_deactivation_alone_ends_sessions_even_without_token_change(client, app):
    user = make_user("clerk", username="canbo")
    db.session.commit()
    login(client, "canbo")
    user.active = False
    db.session.commit()
    assert client.get("/hop-thu").status_code == 302


def test_change_own_password_keeps_this_session_and_ends_the_others(app, client):
    make_user("officer", username="cv")
    db.session.commit()
    login(client, "cv")
    other = app.test_client()
    login(other, "cv")
    response = client.post("/tai-khoan/mat-khau", data={"current": PASSWORD, "new": "mat-khau-moi-456",
                                                        "confirm": "mat-khau-moi-456"})
    assert response.status_code == 302
    assert client.get("/hop-thu").status_code == 200
    assert other.get("/hop-thu").status_code == 302
    client.post("/dang-xuat")
    assert login(client, "cv", "mat-khau-moi-456").status_code == 302


def test_change_password_checks_the_current_one(client, login_as):
    login_as("clerk")
    response = client.post("/tai-khoan/mat-khau", data={"current": "sai", "new": "mat-khau-moi-456",
                                                        "confirm": "mat-khau-moi-456"})
    assert "Mật khẩu hiện tại không đúng." in response.get_data(as_text=True)


def test_login_ignores_an_offsite_next_address(client, app):
    make_user("clerk", username="canbo")
    db.session.commit()
    response = login(client, "canbo", query_string={"next": "https://example.com/x"})
    assert response.headers["Location"].endswith("/hop-thu")
    client.post("/dang-xuat")
    response = login(client, "canbo", query_string={"next": "/hop-thu?tab=overdue"})
    assert response.headers["Location"].endswith("/hop-thu?tab=overdue")


def test_staff_find_the_login_from_the_footer_of_any_public_page(client, catalog):
    for path in ("/", "/tra-cuu"):
        html = client.get(path).get_data(as_text=True)
        footer = html[html.index('<footer class="site-footer">'):]
        assert 'href="/dang-nhap">Dành cho cán bộ</a>' in footer, path
    assert client.get("/dang-nhap").status_code == 200
