"""The province's secret goes only where it was typed for, the pages never echo what a server said,
and the secret is sealed at rest (the outside attack: change only the address, press "Thử kết nối")."""
import importlib.util
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations

from commune.core.settings import set_setting
from commune.extensions import db
from commune.sync import send
from commune.sync.connection import SECRET_ELSEWHERE, SECRET_OK, SECRET_UNREADABLE, connection
from commune.sync.models import PENDING, SENT, SyncRecord
from commune.sync.secret_box import open_sealed
from tests.sync.conftest import PASSWORD, Province
from tests.sync.test_pages import received_dossier

MARKER = "MARKER-noi-bo-7f3c9a"  # what the listener answers: never on a page
NEW_SECRET = "bi-mat-cua-tinh-42"
MIGRATION = Path(__file__).resolve().parents[2] / "migrations" / "versions" / "38b28e6a9d59_sync_secret_sealed.py"


class Listener:
    """Someone else's server on a loopback port: keeps every request, answers `answer` (status, type, body)."""

    def __init__(self):
        self.received = []
        self.answer = (200, "text/html", f"<html><body>{MARKER} noi bo</body></html>")
        self.redirect_to = ""
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's hook name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode("utf-8", "replace")
                listener.received.append((self.path, body))
                status, kind, text = listener.answer
                data = text.encode()
                self.send_response(status)
                if listener.redirect_to:
                    self.send_header("Location", listener.redirect_to)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


def typed(base, adapter="dvcqg", **changes):
    auth, url = ("/lgsp/token", "/lgsp") if adapter == "lgsp" else ("/auth", "/service")
    return {"enabled": "y", "adapter": adapter, "auth_url": base + auth, "url": base + url,
            "username": "xa-mau", "unit_code": "000.00.01.H56", **changes}


def save_secret(client, province, adapter="dvcqg"):
    """The admin saves the settings with the secret typed (the way a commune sets it up)."""
    response = client.post("/quan-tri/dong-bo", data=typed(province.base, adapter, secret=PASSWORD))
    assert response.status_code == 302


def stored_secret():
    return db.session.execute(sa.text("SELECT value FROM settings WHERE key = 'sync_secret'")).scalar() or ""


@pytest.mark.parametrize("adapter", ["dvcqg", "lgsp"])
@pytest.mark.parametrize("moved", ["auth_url", "url", "both"])
def test_only_the_address_changed_sends_the_secret_nowhere(app, client, login_as, province, listener, adapter,
                                                           moved):
    login_as("admin")
    save_secret(client, province, adapter)
    form = typed(province.base, adapter)
    elsewhere = typed(listener.base, adapter)
    for key in (["auth_url", "url"] if moved == "both" else [moved]):
        form[key] = elsewhere[key]
    for button in ("/quan-tri/dong-bo/thu-ket-noi", "/quan-tri/dong-bo"):
        response = client.post(button, data=form)
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and "hãy nhập lại mật khẩu / client secret" in page
        assert f'value="{form[moved if moved != "both" else "url"]}"' in page  # what was typed is kept
    assert listener.received == []
    conn = connection()  # nothing was saved: the province's addresses and the secret as they were
    assert conn.auth_url == province.base + typed("", adapter)["auth_url"] and conn.secret == PASSWORD


def test_an_address_changed_behind_the_page_leaves_the_secret_unused(app, client, login_as, province, listener):
    """The secret is sealed with its addresses: changed anywhere else (the table by hand), it is not sent."""
    login_as("admin")
    save_secret(client, province)
    dossier = received_dossier()
    set_setting("sync_auth_url", listener.base + "/auth")
    db.session.commit()
    conn = connection()
    assert conn.secret == "" and conn.secret_state == SECRET_ELSEWHERE and not conn.configured
    assert send.send_due() == {}
    assert listener.received == [] and dossier.sync_records[0].status == PENDING
    page = client.get("/quan-tri/dong-bo").get_data(as_text=True)
    assert "đã lưu cho địa chỉ khác" in page


def test_the_environment_secret_stays_with_the_environment_addresses(app, client, login_as, province, listener):
    login_as("admin")
    assert connection().secret == PASSWORD  # COMMUNE_SYNC_SECRET, for COMMUNE_SYNC_AUTH_URL / _URL
    page = client.post("/quan-tri/dong-bo/thu-ket-noi", data=typed(listener.base)).get_data(as_text=True)
    assert "hãy nhập lại mật khẩu / client secret" in page and listener.received == []
    app.config["COMMUNE_SYNC_URL"] = listener.base + "/service"  # the environment changed under the secret?
    app.config["COMMUNE_SYNC_AUTH_URL"] = listener.base + "/auth"  # both: still the pair it came with
    assert connection().secret == PASSWORD
    set_setting("sync_url", province.base + "/service")  # a saved address over the environment's
    db.session.commit()
    assert connection().secret == "" and connection().secret_state == SECRET_ELSEWHERE


def test_the_process_environment_still_sets_the_secret(app, province, monkeypatch):
    for key in ("COMMUNE_SYNC_SECRET", "COMMUNE_SYNC_AUTH_URL", "COMMUNE_SYNC_URL"):
        monkeypatch.setenv(key, app.config.pop(key))
    dossier = received_dossier()
    assert connection().secret == PASSWORD
    send.send_due()
    assert dossier.sync_records[0].status == SENT
    # The server's environment names the secret and its addresses together: it may move them together.
    monkeypatch.setenv("COMMUNE_SYNC_URL", province.base + "/lgsp")
    assert connection().secret == PASSWORD


@pytest.mark.parametrize("answer, said", [
    ((200, "text/html", f"<html>{MARKER}</html>"), "không theo giao thức của cổng"),
    ((418, "text/plain", MARKER), "mã lỗi HTTP 418"),
    ((500, "application/json", json.dumps({"error_code": "-1", "message": MARKER})), "mã lỗi HTTP 500"),
    ((200, "application/json", json.dumps({"error_code": "-1", "message": MARKER})), "từ chối tên đăng nhập"),
    ((200, "application/json", json.dumps({"error_code": "0", "note": MARKER})), "không theo giao thức"),
])
def test_the_test_says_only_whether_it_worked_never_what_answered(app, client, login_as, province, listener,
                                                                  answer, said):
    login_as("admin")
    listener.answer = answer
    page = client.post("/quan-tri/dong-bo/thu-ket-noi",
                       data=typed(listener.base, secret=NEW_SECRET)).get_data(as_text=True)
    assert len(listener.received) == 1  # the admin typed the secret for this address: it was tried
    assert said in page and "Không kết nối được" in page
    assert MARKER not in page and NEW_SECRET not in page


def test_a_redirect_is_not_followed(app, client, login_as, province, listener):
    """Neither the login nor a bearer token follows a redirect to another host."""
    login_as("admin")
    listener.answer = (302, "text/plain", MARKER)
    listener.redirect_to = province.base + "/auth"
    page = client.post("/quan-tri/dong-bo/thu-ket-noi",
                       data=typed(listener.base, secret=NEW_SECRET)).get_data(as_text=True)
    assert "mã lỗi HTTP 302" in page and MARKER not in page
    assert province.received == []


def test_a_closed_port_and_silence_are_said_in_our_words(app, client, login_as, province, listener):
    login_as("admin")
    closed = listener.base
    listener.close()
    page = client.post("/quan-tri/dong-bo/thu-ket-noi", data=typed(closed, secret=NEW_SECRET)).get_data(as_text=True)
    assert "không mở được kết nối tới máy chủ" in page
    province.mode, province.sleep = "sleep", 1.5
    page = client.post("/quan-tri/dong-bo/thu-ket-noi",
                       data=typed(province.base, url=province.base + "/service",
                                  auth_url=province.base + "/service", secret=PASSWORD)).get_data(as_text=True)
    assert "không trả lời trong thời gian chờ" in page


def test_a_changed_address_with_the_secret_typed_again_works(app, client, login_as, province):
    login_as("admin")
    save_secret(client, province)
    moved = Province()  # the province moved its system to a new address
    try:
        form = typed(moved.base, secret=PASSWORD)
        page = client.post("/quan-tri/dong-bo/thu-ket-noi", data=form).get_data(as_text=True)
        assert "Kết nối được" in page and moved.logins == 1
        assert client.post("/quan-tri/dong-bo", data=form).status_code == 302
        conn = connection()
        assert conn.auth_url == moved.base + "/auth" and conn.secret == PASSWORD and conn.configured
        dossier = received_dossier()
        send.send_due()
        assert dossier.sync_records[0].status == SENT and len(moved.dossiers) == 1
        assert province.dossiers == {}
    finally:
        moved.close()


def test_the_secret_is_sealed_in_the_database_and_never_shown(app, client, login_as, province):
    login_as("admin")
    client.post("/quan-tri/dong-bo", data=typed(province.base, secret=NEW_SECRET))
    stored = stored_secret()
    assert stored.startswith("fernet1:") and NEW_SECRET not in stored
    assert open_sealed(stored, app.config["SECRET_KEY"]).secret == NEW_SECRET
    page = client.get("/quan-tri/dong-bo").get_data(as_text=True)
    assert NEW_SECRET not in page and stored[10:40] not in page
    assert re.search(r'id="sync-secret-state">[^<]*<strong>đã lưu', page)
    dump = " ".join(str(row) for row in db.session.execute(sa.text("SELECT * FROM audit_entries")).all())
    assert NEW_SECRET not in dump


def test_a_changed_secret_key_asks_for_the_secret_again(app, client, login_as, province, runner):
    login_as("admin")
    save_secret(client, province)
    dossier = received_dossier()
    logins = province.logins
    app.config["SECRET_KEY"] = "a-new-key-after-a-restore"
    login_as("admin", username="admin2")  # the old session was signed with the old key
    response = client.get("/quan-tri/dong-bo")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "không đọc được" in page and "hãy nhập lại" in page
    conn = connection()
    assert conn.secret_state == SECRET_UNREADABLE and conn.secret == "" and not conn.configured
    assert send.send_due() == {}  # kept, tried again once the secret is typed
    assert "type it again" in runner.invoke(args=["sync", "send"]).output
    response = client.post("/quan-tri/dong-bo/thu-ket-noi", data=typed(province.base))
    assert response.status_code == 200 and "Không đọc được mật khẩu đã lưu" in response.get_data(as_text=True)
    assert province.logins == logins
    db.session.refresh(dossier.sync_records[0])
    assert dossier.sync_records[0].status == PENDING
    save_secret(client, province)
    assert connection().secret_state == SECRET_OK
    send.send_due()
    db.session.refresh(dossier.sync_records[0])
    assert dossier.sync_records[0].status == SENT


def test_a_portal_message_is_kept_short(app, client, login_as, province):
    dossier = received_dossier()
    province.mode = "refuse_token"
    long_message = "Phiên làm việc không hợp lệ " + "x" * 5000
    province.answer = lambda path, body, headers: (
        Province.login(province, path, body) if path == "/auth"
        else (200, {"error_code": "-1", "message": long_message}, "application/json"))
    send.send_due()
    record = db.session.scalars(sa.select(SyncRecord).where(SyncRecord.dossier_id == dossier.id,
                                                            SyncRecord.kind == "dossier")).one()
    assert "Phiên làm việc không hợp lệ" in record.answer and len(record.answer) < 260
    assert len(record.last_error) < 600


def _migrate(step):
    spec = importlib.util.spec_from_file_location("sealed_migration", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with db.engine.begin() as bind, Operations.context(MigrationContext.configure(bind)):
        getattr(module, step)()


def test_the_migration_seals_a_clear_secret_bound_to_its_addresses(app, province):
    set_setting("sync_secret", "bi-mat-cu-trong-bang")
    set_setting("sync_url", province.base + "/service")
    record = SyncRecord(dossier_id=received_dossier().id, kind="dossier", answer=f"<html>{MARKER}</html>")
    db.session.add(record)
    db.session.commit()
    record_id = record.id
    db.session.close()
    _migrate("upgrade")
    stored = stored_secret()
    assert "bi-mat-cu-trong-bang" not in stored
    sealed = open_sealed(stored, app.config["SECRET_KEY"])
    assert sealed.secret == "bi-mat-cu-trong-bang"
    assert sealed.endpoints == (province.base + "/auth", province.base + "/service")
    assert connection().secret == "bi-mat-cu-trong-bang"
    assert MARKER not in db.session.get(SyncRecord, record_id).answer
    db.session.close()
    _migrate("downgrade")
    assert stored_secret() == "bi-mat-cu-trong-bang"
