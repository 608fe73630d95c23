"""The admin manages staff accounts; a deactivated account is logged out at once."""
import sqlalchemy as sa

from commune.accounts.models import User
from commune.core.audit import AuditEntry
from commune.extensions import db
from tests.factories import make_user


def test_admin_creates_a_clerk_who_can_log_in(app, client, admin):
    response = client.post("/quan-tri/can-bo/moi", data={"username": "thu.ha", "full_name": "Lê Thu Hà",
                                                          "role": "clerk", "password": "mot-mat-khau-dai"})
    assert response.status_code == 302
    other = app.test_client()
    login = other.post("/dang-nhap", data={"username": "thu.ha", "password": "mot-mat-khau-dai"})
    assert login.status_code == 302
    assert "Lê Thu Hà" in client.get("/quan-tri/can-bo").get_data(as_text=True)


def test_duplicate_username_is_refused_and_input_kept(client, admin):
    make_user("clerk", username="trung")
    db.session.commit()
    response = client.post("/quan-tri/can-bo/moi", data={"username": "trung", "full_name": "Nguyễn Trung",
                                                          "role": "clerk", "password": "mot-mat-khau-dai"})
    html = response.get_data(as_text=True)
    assert "Tên đăng nhập này đã có." in html and 'value="Nguyễn Trung"' in html


def test_deactivating_an_account_ends_its_session(app, client, admin):
    clerk = make_user("clerk", username="nhan.vien")
    db.session.commit()
    theirs = app.test_client()
    theirs.post("/dang-nhap", data={"username": "nhan.vien", "password": "mat-khau-123"})
    assert theirs.get("/so-lieu").status_code == 200
    client.post(f"/quan-tri/can-bo/{clerk.id}/trang-thai")
    assert db.session.get(User, clerk.id).active is False
    response = theirs.get("/so-lieu")
    assert response.status_code == 302 and "/dang-nhap" in response.headers["Location"]
    again = theirs.post("/dang-nhap", data={"username": "nhan.vien", "password": "mat-khau-123"})
    assert again.status_code != 302 or "/dang-nhap" in again.headers.get("Location", "")
    entry = db.session.scalars(sa.select(AuditEntry).filter_by(action="user.deactivate")).one()
    assert entry.actor_id == admin.id and entry.target == "user nhan.vien"


def test_changing_a_role_and_resetting_a_password(app, client, admin):
    officer = make_user("officer", username="can.bo")
    db.session.commit()
    theirs = app.test_client()
    theirs.post("/dang-nhap", data={"username": "can.bo", "password": "mat-khau-123"})
    client.post(f"/quan-tri/can-bo/{officer.id}", data={"full_name": "Cán bộ mới", "role": "leader"})
    assert db.session.get(User, officer.id).role == "leader"
    assert theirs.get("/so-lieu").status_code == 302  # the old session ended with the role change
    client.post(f"/quan-tri/can-bo/{officer.id}/mat-khau",
                data={"password": "mat-khau-moi-456", "confirm": "mat-khau-moi-456"})
    fresh = app.test_client()
    assert fresh.post("/dang-nhap", data={"username": "can.bo", "password": "mat-khau-moi-456"}).status_code == 302
    mismatch = client.post(f"/quan-tri/can-bo/{officer.id}/mat-khau", data={"password": "aaaaaaaa1", "confirm": "b"})
    assert mismatch.status_code == 400 and "Hai mật khẩu không giống nhau." in mismatch.get_data(as_text=True)
    log = client.get("/quan-tri/nhat-ky").get_data(as_text=True)
    assert "user.reset_password" in log and "mat-khau-moi-456" not in log


def test_the_last_admin_cannot_be_removed(client, admin):
    client.post(f"/quan-tri/can-bo/{admin.id}/trang-thai")
    response = client.post(f"/quan-tri/can-bo/{admin.id}", data={"full_name": "Quản trị", "role": "clerk"})
    assert "Phải còn ít nhất một tài khoản quản trị." in response.get_data(as_text=True)
    user = db.session.get(User, admin.id)
    assert user.active and user.role == "admin"
