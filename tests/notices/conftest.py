"""A real local SMTP server (aiosmtpd) and a local HTTP SMS gateway, and an app configured for both."""
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from commune.extensions import db
from tests.conftest import make_app
from tests.journeys import notice_config


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Collect:
    def __init__(self, inbox):
        self.inbox = inbox

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.inbox.append(envelope)
        return "250 OK"


class SmtpServer:
    """A real SMTP server on a free local port that can be stopped and started again."""

    def __init__(self):
        self.port = free_port()
        self.messages = []
        self.controller = None

    def start(self):
        self.controller = Controller(_Collect(self.messages), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def texts(self):
        from email import message_from_bytes, policy

        return [message_from_bytes(m.original_content, policy=policy.default) for m in self.messages]


class SmsGateway:
    """A local HTTP endpoint that records what it is sent and answers with `status`."""

    def __init__(self):
        self.requests = []
        self.status = 200
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's hook name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                gateway.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                self.send_response(gateway.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"ok": true}')

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def texts(self):
        return [json.loads(r["body"])["text"] for r in self.requests]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def smtp_server():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def sms_gateway():
    gateway = SmsGateway()
    yield gateway
    gateway.close()




@pytest.fixture
def app(tmp_path, monkeypatch, smtp_server, sms_gateway):
    """The app with e-mail and SMS configured (the background sender off: tests send explicitly)."""
    monkeypatch.setenv("COMMUNE_INSTANCE_PATH", str(tmp_path / "instance"))
    app = make_app(tmp_path, **notice_config(smtp_server, sms_gateway))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
