"""The shipped deployment files (deploy/) are what the README's recipe installs: they must parse.

nginx checks the site file as it would be installed (`nginx -t`, in a temporary prefix, with a
throw-away certificate where Let's Encrypt's would be); systemd checks each unit
(`systemd-analyze verify`, with the paths pointed at this checkout)."""
import os
import pathlib
import re
import shutil
import subprocess
import sys

import pytest

from tests.conftest import IN_CI
from tests.nginx_prefix import NGINX, nginx_conf

ROOT = pathlib.Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")



def _need(tool, name):
    if tool is None:
        if IN_CI:
            pytest.fail(f"{name} is missing: CI installs it, so the deployment files can be checked")
        pytest.skip(f"{name} is not installed")


def test_the_nginx_site_file_parses_as_installed(tmp_path):
    _need(NGINX, "nginx")
    cert, key = tmp_path / "fullchain.pem", tmp_path / "privkey.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=motcua.example.gov.vn", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    site = (DEPLOY / "nginx" / "mot-cua-xa.conf").read_text()
    assert "/etc/letsencrypt/live/motcua.example.gov.vn/fullchain.pem" in site
    site = site.replace("/etc/letsencrypt/live/motcua.example.gov.vn/fullchain.pem", str(cert))
    site = site.replace("/etc/letsencrypt/live/motcua.example.gov.vn/privkey.pem", str(key))
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(nginx_conf(tmp_path, f"    include {tmp_path}/site.conf;"))
    result = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr
    # What the app relies on: the real client address and scheme, and the slow-client timeouts.
    for line in ("proxy_set_header X-Forwarded-For $remote_addr;", "proxy_set_header Host $host;",
                 "client_body_timeout 30s;", "proxy_pass http://127.0.0.1:5000;"):
        assert line in site
    # One address cannot hold every connection nginx has: a per-address limit in each server.
    assert "limit_conn_zone $binary_remote_addr zone=motcua_per_address:" in site
    servers = site.split("server {")[1:]
    assert len(servers) == 2
    for server in servers:
        assert re.search(r"^\s*limit_conn motcua_per_address (\d+);", server, re.M)
        assert 20 <= int(re.search(r"limit_conn motcua_per_address (\d+);", server)[1]) <= 40
        assert re.search(r"^\s*client_header_timeout \d+s;", server, re.M)


def test_the_worker_connections_script_raises_debians_768_once_and_nginx_accepts_it(tmp_path):
    """deploy/nginx/raise-worker-connections.sh on a main config like Debian's (768 per worker)."""
    _need(NGINX, "nginx")
    conf = nginx_conf(tmp_path, "    server { listen 127.0.0.1:8080; return 204; }").replace(
        "worker_processes 1;", "worker_processes auto;").replace(
        "events { worker_connections 64; }", "events {\n\tworker_connections 768;\n\t# multi_accept on;\n}")
    (tmp_path / "nginx.conf").write_text(conf)
    script = DEPLOY / "nginx" / "raise-worker-connections.sh"
    for _ in range(2):  # a second run changes nothing
        subprocess.run(["sh", str(script), str(tmp_path / "nginx.conf")], check=True)
        text = (tmp_path / "nginx.conf").read_text()
        assert "worker_connections 768;" not in text and text.count("\tworker_connections 4096;") == 1
        assert text.count("worker_rlimit_nofile 8192;") == 1
    result = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    # Only on a config that has the lines to change: anything else is said, not silently left.
    (tmp_path / "other.conf").write_text("events {}\n")
    refused = subprocess.run(["sh", str(script), str(tmp_path / "other.conf")], capture_output=True, text=True)
    assert refused.returncode != 0 and "by hand" in refused.stderr


@pytest.mark.parametrize("unit", sorted(p.name for p in (DEPLOY / "systemd").iterdir()))
def test_each_systemd_unit_verifies(tmp_path, unit):
    _need(SYSTEMD_ANALYZE, "systemd-analyze")
    # Point the units at this checkout (the recipe installs it in /srv/mot-cua-xa).
    for path in (DEPLOY / "systemd").iterdir():
        # The flask next to this interpreter (the checkout's .venv in CI), the rest in this checkout.
        flask = pathlib.Path(sys.executable).with_name("flask")
        text = path.read_text().replace("/srv/mot-cua-xa/.venv/bin/flask", str(flask))
        text = text.replace("/srv/mot-cua-xa", str(ROOT))
        example = DEPLOY / "mot-cua-xa.env.example"
        text = text.replace("EnvironmentFile=/etc/mot-cua-xa.env", f"EnvironmentFile={example}")
        (tmp_path / path.name).write_text(text)
    result = subprocess.run([SYSTEMD_ANALYZE, "verify", "--man=no", str(tmp_path / unit)],
                            capture_output=True, text=True, env={**os.environ, "SYSTEMD_LOG_LEVEL": "warning"})
    problems = [line for line in (result.stdout + result.stderr).splitlines()
                if line.strip() and "motcua" not in line and "Failed to connect" not in line]
    assert result.returncode == 0 or not problems, result.stdout + result.stderr
    assert not [p for p in problems if unit.split(".")[0] in p], "\n".join(problems)


def test_every_timer_starts_a_service_that_is_shipped():
    timers = sorted((DEPLOY / "systemd").glob("*.timer"))
    assert timers
    for timer in timers:
        assert (timer.with_suffix(".service")).exists(), timer.name
        assert "OnCalendar=" in timer.read_text() and "Persistent=true" in timer.read_text()
