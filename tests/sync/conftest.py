"""A local stand-in for the province's one-stop system (DVCQG sessions and services, LGSP tokens and
paths), started by the tests, and an app configured to sync to it."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from commune.extensions import db
from commune.sync.adapters import forget_sessions
from tests.conftest import make_app

PASSWORD = "mat-khau-tinh"
EXISTS_MESSAGE = "Mã hồ sơ đã tồn tại trên hệ thống"


class Province:
    """The remote: logs in with the right password, keeps dossiers by MaHoSo and their history.

    `mode` makes it misbehave: "500", "html", "garbage", "sleep" (past the client's timeout),
    "refuse_token" (every session refused), "expire_once" (the current sessions refused once),
    "list" (a JSON list instead of an object). Everything received is kept in `received`.
    """

    def __init__(self):
        self.received = []  # (path, body, headers)
        self.dossiers = {}  # MaHoSo -> latest payload
        self.history = {}   # MaHoSo -> rows
        self.creates = []
        self.updates = []
        self.history_posts = []
        self.logins = 0
        self.sessions = set()
        self.mode = ""
        self.sleep = 2.0
        province = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's hook name
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = None
                province.received.append((self.path, body, dict(self.headers)))
                status, answer, kind = province.answer(self.path, body, dict(self.headers))
                if status is None:
                    return
                data = answer if isinstance(answer, bytes) else json.dumps(answer, ensure_ascii=False).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up (timeout)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    # --- the protocol -------------------------------------------------------------------------
    def answer(self, path, body, headers):
        json_kind = "application/json"
        if path in ("/auth", "/lgsp/token"):
            return self.login(path, body)
        if self.mode == "500":
            return 500, b"<html><body>Internal Server Error</body></html>", "text/html"
        if self.mode == "html":
            return 200, b"<!DOCTYPE html><html><body>Trang bao tri</body></html>", "text/html"
        if self.mode == "garbage":
            return 200, b"}{ not json \x00", "application/json"
        if self.mode == "list":
            return 200, [1, 2], json_kind
        if self.mode == "sleep":
            time.sleep(self.sleep)
        session = self.session_of(path, body, headers)
        if self.mode == "refuse_token" or session not in self.sessions:
            return 200, {"error_code": "-1", "message": "Phiên làm việc không hợp lệ"}, json_kind
        if self.mode == "expire_once":
            self.mode = ""
            self.sessions.clear()
            return 200, {"error_code": "-1", "message": "Phiên làm việc hết hạn"}, json_kind
        if path == "/service":
            service = body.get("service")
        else:
            service = {"/lgsp/Document/SyncDocument": "DongBoHoSoMC",
                       "/lgsp/Document/UpdateDocumentTraces": "CapNhatTienDoHoSoMC"}.get(path)
        if service == "DongBoHoSoMC":
            return 200, self.upsert(body), json_kind
        if service == "CapNhatTienDoHoSoMC":
            self.history_posts.append(body["data"])
            for row in body["data"]:
                self.history.setdefault(row["MaHoSo"], []).append(row)
            return 200, {"error_code": "0", "message": "Cập nhật tiến độ thành công"}, json_kind
        return 200, {"error_code": "-9", "message": "Dịch vụ không tồn tại"}, json_kind

    def login(self, path, body):
        secret = (body or {}).get("password") if path == "/auth" else (body or {}).get("client_secret")
        if secret != PASSWORD:
            return 200, {"error_code": "-1", "message": "Sai tên đăng nhập hoặc mật khẩu"}, "application/json"
        self.logins += 1
        token = f"S-{self.logins}"
        self.sessions.add(token)
        if path == "/auth":
            return 200, {"error_code": "0", "session": token}, "application/json"
        return 200, {"access_token": token, "expires_in": 3600}, "application/json"

    def session_of(self, path, body, headers):
        if path == "/service":
            return (body or {}).get("session")
        return (headers.get("Authorization") or "").removeprefix("Bearer ")

    def upsert(self, body):
        for item in body["data"]:
            code = item["MaHoSo"]
            if not body.get("isUpdating") and code in self.dossiers:
                return {"error_code": "-3", "message": EXISTS_MESSAGE}
            (self.updates if body.get("isUpdating") else self.creates).append(code)
            self.dossiers[code] = item
        return {"error_code": "0", "message": "Đồng bộ hồ sơ thành công"}


def sync_config(province, adapter="dvcqg", **extra):
    if adapter == "lgsp":
        urls = {"COMMUNE_SYNC_AUTH_URL": province.base + "/lgsp/token", "COMMUNE_SYNC_URL": province.base + "/lgsp"}
    else:
        urls = {"COMMUNE_SYNC_AUTH_URL": province.base + "/auth", "COMMUNE_SYNC_URL": province.base + "/service"}
    return {"COMMUNE_SYNC_ENABLED": True, "COMMUNE_SYNC_ADAPTER": adapter, "COMMUNE_SYNC_USERNAME": "xa-mau",
            "COMMUNE_SYNC_SECRET": PASSWORD, "COMMUNE_SYNC_UNIT_CODE": "000.00.01.H56", "COMMUNE_SYNC_TIMEOUT": 1,
            "COMMUNE_SYNC_THREAD": False,
            **urls, **extra}


@pytest.fixture
def province():
    forget_sessions()
    remote = Province()
    yield remote
    remote.close()
    forget_sessions()


@pytest.fixture
def sync_extra():
    """Override in a test module for another adapter or setting."""
    return {}


@pytest.fixture
def app(tmp_path, monkeypatch, province, sync_extra):
    """The app syncing to the local province (the background sender stays asleep: tests send explicitly)."""
    monkeypatch.setenv("COMMUNE_INSTANCE_PATH", str(tmp_path / "instance"))
    app = make_app(tmp_path, **sync_config(province, **sync_extra))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
