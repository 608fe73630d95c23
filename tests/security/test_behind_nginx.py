"""The site behind a real nginx (Debian's package, started here on loopback), as the README deploys it.

Two villagers or clerks with different addresses get separate look-up and login limits, because the
app believes nginx's X-Forwarded-For (nginx is in COMMUNE_TRUSTED_PROXIES) and only nginx's; a client
talking to waitress directly cannot choose its address by sending the header itself.
"""
import http.client
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from commune.extensions import db
from tests.conftest import IN_CI, make_app
from tests.nginx_prefix import NGINX, nginx_conf

pytestmark = pytest.mark.drill  # starts the site as a process of its own

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "mat-khau-ban-mot-cua"
LIMIT = 3  # look-ups and logins a minute per address on this site

SERVER = """
    server {{
        listen 127.0.0.1:{port};
        server_name 127.0.0.1;
        client_max_body_size 25m;
        location / {{
            proxy_pass http://127.0.0.1:{app_port};
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_connect_timeout 5s;
            proxy_send_timeout 60s;
            proxy_read_timeout 60s;
        }}
    }}
"""


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Visitor:
    """A browser on one source address (127.0.0.x): keeps its cookies, fills forms with their CSRF token."""

    def __init__(self, port, source):
        self.port, self.source, self.cookies = port, source, {}

    def request(self, method, path, form=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30,
                                                source_address=(self.source, 0))
        sent = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body, sent)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value
        return response.status, text

    def submit(self, path, fields, headers=None):
        status, page = self.request("GET", path, headers=headers)
        assert status == 200, (path, status)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or \
            re.search(r'name="csrf_token" value="([^"]+)"', page)
        return self.request("POST", path, {"csrf_token": token[1], **fields}, headers=headers)


def _wait_for(port, deadline):
    while time.monotonic() < deadline:
        try:
            status, _ = Visitor(port, "127.0.0.1").request("GET", "/healthz")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"nothing answered on 127.0.0.1:{port}")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """waitress serving the app (the real `serve` command) on one port, nginx in front on another."""
    if NGINX is None:
        if IN_CI:
            pytest.fail("nginx is missing (apt-get install nginx): the reverse-proxy test cannot run in CI")
        pytest.skip("nginx is not installed (apt-get install nginx)")
    tmp = tmp_path_factory.mktemp("nginx")
    app_port, port = _free_port(), _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("COMMUNE_")},
        "COMMUNE_INSTANCE_PATH": str(tmp / "instance"),
        "COMMUNE_DATABASE_URL": f"sqlite:///{tmp / 'site.db'}",
        "COMMUNE_SECRET_KEY": secrets.token_hex(16),
        "COMMUNE_HOST": "127.0.0.1",
        "COMMUNE_PORT": str(app_port),
        "COMMUNE_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "COMMUNE_TRUSTED_PROXIES": "127.0.0.1",  # nginx connects from here
        "COMMUNE_LOGIN_LIMIT": f"{LIMIT} per minute",
        "COMMUNE_LOOKUP_LIMIT": f"{LIMIT} per minute",
        "COMMUNE_LOOKUP_CODE_LIMIT": "1000 per hour",
        "COMMUNE_SEND_NOTICES": "0",
    }
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    # The schema from the models (migrations have their own test), then a clerk made by the real command.
    schema = "from commune import create_app; from commune.extensions import db; " \
             "app = create_app(); app.app_context().push(); db.create_all()"
    for command, given in (([sys.executable, "-c", schema], None),
                           ([*flask, "users", "create", "canbo", "--role", "clerk", "--password-stdin"],
                            PASSWORD + "\n")):
        done = subprocess.run(command, cwd=ROOT, env=env, input=given, text=True, capture_output=True, timeout=300)
        assert done.returncode == 0, f"{command[-1]} failed:\n{done.stderr[-3000:]}"
    log = open(tmp / "server.log", "wb")  # closed when the server stops
    server = subprocess.Popen([*flask, "serve"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    # As root, nginx would hand its workers to 'nobody', who cannot enter the private pytest folder.
    user = "user root;" if os.geteuid() == 0 else ""
    (tmp / "nginx.conf").write_text(nginx_conf(tmp, SERVER.format(port=port, app_port=app_port), main=user))
    proxy = subprocess.Popen([NGINX, "-e", str(tmp / "error.log"), "-p", str(tmp), "-c", str(tmp / "nginx.conf"),
                              "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        _wait_for(app_port, deadline)
        _wait_for(port, deadline)
        yield {"port": port, "app_port": app_port}
    finally:
        for process in (proxy, server):
            process.terminate()
        for process in (proxy, server):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()


def _failed_lookup(visitor):
    status, _ = visitor.submit("/tra-cuu", {"code": "ZZZZ-" + secrets.token_hex(3).upper(), "secret": "0900000000"})
    return status


def _failed_login(visitor, headers=None):
    return visitor.submit("/dang-nhap", {"username": "canbo", "password": "doan-sai"}, headers=headers)[0]


def test_two_villagers_behind_nginx_have_their_own_lookup_limits(site):
    first, second = Visitor(site["port"], "127.0.0.2"), Visitor(site["port"], "127.0.0.3")
    assert [_failed_lookup(first) for _ in range(LIMIT)] == [404] * LIMIT
    assert _failed_lookup(first) == 429
    # The neighbour on another address is not touched by the first one's mistakes.
    assert _failed_lookup(second) == 404


def test_two_clerks_behind_nginx_have_their_own_login_limits(site):
    stranger, clerk = Visitor(site["port"], "127.0.0.4"), Visitor(site["port"], "127.0.0.5")
    assert [_failed_login(stranger) for _ in range(LIMIT)] == [400] * LIMIT
    assert _failed_login(stranger) == 429
    # A forged X-Forwarded-For sent through nginx changes nothing: nginx appends the real address.
    assert _failed_login(stranger, headers={"X-Forwarded-For": "127.0.0.77"}) == 429
    status, _ = clerk.submit("/dang-nhap", {"username": "canbo", "password": PASSWORD})
    assert status == 302
    assert clerk.request("GET", "/hop-thu")[0] == 200


def test_a_client_talking_to_waitress_directly_cannot_choose_its_address(site):
    direct = Visitor(site["app_port"], "127.0.0.6")
    statuses = [_failed_login(direct, headers={"X-Forwarded-For": f"127.0.1.{n}", "X-Real-IP": f"127.0.1.{n}"})
                for n in range(LIMIT + 1)]
    assert statuses == [400] * LIMIT + [429]


def test_without_trusted_proxies_forwarded_addresses_are_ignored(tmp_path, monkeypatch):
    """The default: COMMUNE_TRUSTED_PROXIES empty, so even a loopback peer's X-Forwarded-For is not believed."""
    monkeypatch.setenv("COMMUNE_INSTANCE_PATH", str(tmp_path / "instance"))
    app = make_app(tmp_path, COMMUNE_LOGIN_LIMIT="2 per minute")
    with app.app_context():
        client = app.test_client()
        statuses = [client.post("/dang-nhap", data={"username": "ai", "password": "sai"},
                                headers={"X-Forwarded-For": f"198.51.100.{n}"}).status_code for n in range(3)]
        assert statuses == [400, 400, 429]
        db.session.remove()
        db.engine.dispose()


def test_behind_a_trusted_proxy_the_client_is_the_last_untrusted_hop(tmp_path, monkeypatch):
    """A chain of proxies (a CDN then nginx): hops that are trusted proxies are skipped, forged ones never reached."""
    monkeypatch.setenv("COMMUNE_INSTANCE_PATH", str(tmp_path / "instance"))
    app = make_app(tmp_path, COMMUNE_LOGIN_LIMIT="1 per minute", COMMUNE_TRUSTED_PROXIES="127.0.0.1, 10.0.0.0/8")
    with app.app_context():
        client = app.test_client()

        def attempt(forwarded_for):
            return client.post("/dang-nhap", data={"username": "ai", "password": "sai"},
                               headers={"X-Forwarded-For": forwarded_for}).status_code

        assert attempt("203.0.113.7, 10.2.3.4") == 400  # client 203.0.113.7 via an inner proxy 10.2.3.4
        assert attempt("1.1.1.1, 203.0.113.7") == 429  # same client, whatever it put in front
        assert attempt("203.0.113.8") == 400  # another client has its own limit
        db.session.remove()
        db.engine.dispose()
