"""What the clerk and the admin see: the dossier's sync state and why, the retry button, the
settings page (the secret never shown back), the test-connection button, the synced count."""
import re
from datetime import timedelta

import sqlalchemy as sa

from commune.core.audit import AuditEntry
from commune.core.timeutil import utcnow
from commune.dossiers.states import Status
from commune.dossiers.workflow import transition
from commune.extensions import db
from commune.inbox import services
from commune.sync import send
from commune.sync.connection import connection
from commune.sync.models import FAILED, PENDING, SENT, SyncRecord
from commune.sync.payload import official_code
from tests.factories import make_dossier, make_user
from tests.sync.conftest import PASSWORD


def received_dossier():
    dossier = make_dossier(status="draft")
    transition(dossier, Status.SUBMITTED, actor_label="Công dân")
    services.receive(dossier, make_user("clerk"))
    db.session.commit()
    return dossier


def fail_for_good(province, dossier):
    province.mode = "500"
    now = utcnow()
    for _ in range(send.MAX_ATTEMPTS):
        send.send_due(now)
        now += timedelta(hours=5)
    province.mode = ""
    record = db.session.scalars(sa.select(SyncRecord).where(SyncRecord.dossier_id == dossier.id,
                                                            SyncRecord.kind == "dossier")).one()
    assert record.status == FAILED
    return record


def test_the_clerk_sees_waiting_then_synced(app, client, login_as, province):
    dossier = received_dossier()
    login_as("clerk")
    page = client.get(f"/hop-thu/ho-so/{dossier.id}").get_data(as_text=True)
    assert "Đồng bộ lên hệ thống một cửa của tỉnh" in page and "Chờ đồng bộ" in page
    send.send_due()
    page = client.get(f"/hop-thu/ho-so/{dossier.id}").get_data(as_text=True)
    assert "Đã đồng bộ" in page and "Gửi lại" not in page


def test_a_failed_record_shows_why_and_the_desk_retries_it(app, client, login_as, province):
    dossier = received_dossier()
    record = fail_for_good(province, dossier)
    login_as("clerk")
    page = client.get(f"/hop-thu/ho-so/{dossier.id}").get_data(as_text=True)
    assert "Đồng bộ lỗi" in page and "HTTP 500" in page
    assert "Internal Server Error" not in page  # the body of what answered is never shown
    assert f'action="/hop-thu/ho-so/{dossier.id}/dong-bo/thu-lai"' in page
    response = client.post(f"/hop-thu/ho-so/{dossier.id}/dong-bo/thu-lai")
    assert response.status_code == 302 and response.location.endswith(f"/hop-thu/ho-so/{dossier.id}#dong-bo")
    db.session.refresh(record)
    assert record.status == PENDING and record.attempts == 0
    send.send_due()
    db.session.refresh(record)
    assert record.status == SENT and official_code(dossier) in province.dossiers
    page = client.get(f"/hop-thu/ho-so/{dossier.id}").get_data(as_text=True)
    assert "Đã đồng bộ" in page


def test_an_officer_cannot_retry(app, client, login_as, province):
    dossier = received_dossier()
    record = fail_for_good(province, dossier)
    login_as("officer")
    page = client.get(f"/hop-thu/ho-so/{dossier.id}").get_data(as_text=True)
    assert "Đồng bộ lỗi" in page and "Gửi lại" not in page
    assert client.post(f"/hop-thu/ho-so/{dossier.id}/dong-bo/thu-lai").status_code == 403
    db.session.refresh(record)
    assert record.status == FAILED


def test_the_admin_saves_the_settings_and_the_secret_is_never_shown_back(app, client, login_as, province):
    admin = login_as("admin")
    page = client.get("/quan-tri/dong-bo").get_data(as_text=True)
    assert "chưa có" in page or "đã lưu" in page
    response = client.post("/quan-tri/dong-bo", data={
        "enabled": "y", "adapter": "lgsp", "auth_url": province.base + "/lgsp/token", "url": province.base + "/lgsp",
        "username": "xa-mau-client", "secret": "bi-mat-moi-123", "unit_code": "000.00.01.H56"})
    assert response.status_code == 302
    page = client.get("/quan-tri/dong-bo").get_data(as_text=True)
    assert "bi-mat-moi-123" not in page
    assert re.search(r'id="sync-secret-state">[^<]*<strong>đã lưu', page)
    assert 'value="xa-mau-client"' in page
    # left blank, the saved secret stays
    client.post("/quan-tri/dong-bo", data={"enabled": "y", "adapter": "lgsp", "auth_url": province.base + "/lgsp/token",
                                           "url": province.base + "/lgsp", "username": "xa-mau-client",
                                           "secret": "", "unit_code": "000.00.01.H56"})
    assert connection().secret == "bi-mat-moi-123" and connection().adapter == "lgsp"
    audit = " ".join(str(e.changes) for e in db.session.scalars(sa.select(AuditEntry)))
    assert "bi-mat-moi-123" not in audit and "sync_secret" in audit
    assert admin is not None


def test_a_bad_address_is_refused_with_a_message_and_nothing_lost(app, client, login_as, province):
    login_as("admin")
    response = client.post("/quan-tri/dong-bo", data={"adapter": "dvcqg", "auth_url": "ftp://x",
                                                      "url": "khong-phai-url", "username": "giu-lai"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "https://" in page and 'value="giu-lai"' in page


def shown_settings(province, **changes):
    """The settings form as the page shows it (the environment's), with `changes` typed over it."""
    return {"enabled": "y", "adapter": "dvcqg", "auth_url": province.base + "/auth",
            "url": province.base + "/service", "username": "xa-mau", "unit_code": "000.00.01.H56", **changes}


def test_the_connection_test_says_whether_it_worked_in_our_words(app, client, login_as, province):
    login_as("admin")
    page = client.post("/quan-tri/dong-bo/thu-ket-noi", data=shown_settings(province)).get_data(as_text=True)
    assert "Kết nối được" in page and province.logins == 1
    app.config["COMMUNE_SYNC_SECRET"] = "sai-mat-khau"
    page = client.post("/quan-tri/dong-bo/thu-ket-noi", data=shown_settings(province)).get_data(as_text=True)
    assert "máy chủ từ chối tên đăng nhập / mật khẩu" in page
    assert "Sai tên đăng nhập hoặc mật khẩu" not in page  # the server's words are never shown
    assert "sai-mat-khau" not in page and PASSWORD not in page
    province.mode = "html"
    app.config["COMMUNE_SYNC_AUTH_URL"] = province.base + "/service"  # an address answering a page
    page = client.post("/quan-tri/dong-bo/thu-ket-noi",
                       data=shown_settings(province, auth_url=province.base + "/service")).get_data(as_text=True)
    assert "không theo giao thức của cổng" in page and "Trang bao tri" not in page


def test_the_admin_page_counts_the_synced_dossiers(app, client, login_as, province):
    received_dossier()
    received_dossier()
    send.send_due()
    received_dossier()  # waiting
    login_as("admin")
    page = client.get("/quan-tri/dong-bo").get_data(as_text=True)
    figures = re.search(r'id="sync-figures">(.*?)</p>', page, re.S).group(1)
    assert re.search(r"\): 2", figures)
    assert "Hàng chờ: 3 chờ gửi" in page  # its dossier record and two history rows
    assert "Đồng bộ hồ sơ" in client.get("/quan-tri").get_data(as_text=True)


def test_a_dossier_not_yet_received_says_when_it_goes(app, client, login_as, province):
    dossier = make_dossier(status="draft")
    transition(dossier, Status.SUBMITTED, actor_label="Công dân")
    db.session.commit()
    login_as("clerk")
    page = client.get(f"/hop-thu/ho-so/{dossier.id}").get_data(as_text=True)
    assert "Chờ đồng bộ" in page and "sau khi tiếp nhận" in page
    send.send_due()
    assert province.received == []


def test_erasing_personal_data_clears_the_kept_answers(app, province):
    from commune.dossiers.retention import erase_dossier

    dossier = received_dossier()
    send.send_due()
    record = db.session.scalars(sa.select(SyncRecord).where(SyncRecord.dossier_id == dossier.id)).first()
    assert record.answer
    erase_dossier(dossier, 5)
    db.session.commit()
    db.session.refresh(record)
    assert record.answer == "" and record.status == SENT
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SyncRecord).where(
        SyncRecord.status == PENDING)) == 0  # the erasure itself is not sent


def test_the_leaders_figures_show_how_many_of_the_period_the_province_holds(app, client, login_as, province):
    received_dossier()
    received_dossier()
    send.send_due()
    received_dossier()  # not sent yet
    login_as("leader")
    page = client.get("/so-lieu").get_data(as_text=True)
    line = re.search(r'id="synced">(.*?)</p>', page, re.S).group(1)
    assert "2 trên 3 hồ sơ tiếp nhận" in line


def test_without_the_sync_the_figures_say_nothing_of_it(app, client, login_as):
    app.config["COMMUNE_SYNC_ENABLED"] = False
    login_as("leader")
    assert 'id="synced"' not in client.get("/so-lieu").get_data(as_text=True)
