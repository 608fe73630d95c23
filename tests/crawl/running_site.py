"""The site as `make run` starts it: `flask setup`, `flask demo`, then `flask serve` (waitress) in a process
of its own, on SQLite or on a PostgreSQL database of its own, reached only over HTTP.

Used by the crawl (test_crawl.py): one process answers every visitor one request after another, as a
commune's server does all day, and its log is read afterwards for any traceback.
"""
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.security.live_site import REPO, free_port

_PASSWORD_RE = re.compile(r"^\s*(\w+)\s+(demo-\w+)\s+password:\s+(\S+)\s*$", re.M)


def _postgres_database(url, name):
    """A new, empty PostgreSQL database `name` on the server of `url`; its URL."""
    import psycopg
    from sqlalchemy.engine import make_url

    base = make_url(url)
    admin = base.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return base.set(database=name).render_as_string(hide_password=False)


class RunningSite:
    """One commune site with demo data, served by `flask serve` on a free loopback port."""

    def __init__(self, root, postgres_url=None):
        self.root = Path(root)
        self.instance = self.root / "instance"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = self.root / "server.log"
        self.process = None
        self.passwords = {}  # role -> (username, password), as `flask demo` printed them
        if postgres_url:
            name = f"{(postgres_url.rsplit('/', 1)[-1] or 'commune')}_crawl"
            self.database_url = _postgres_database(postgres_url, name)
        else:
            self.database_url = f"sqlite:///{self.instance / 'commune.db'}"

    def env(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("COMMUNE_")}
        env.update({
            "COMMUNE_INSTANCE_PATH": str(self.instance),
            "COMMUNE_DATA_DIR": str(self.instance / "data"),
            "COMMUNE_DATABASE_URL": self.database_url,
            "COMMUNE_HOST": "127.0.0.1",
            "COMMUNE_PORT": str(self.port),
            "COMMUNE_PUBLIC_URL": self.url,
            "COMMUNE_SEND_NOTICES": "0",
            "COMMUNE_THREADS": "4",
            "COMMUNE_PASSWORD_HASH": "scrypt:1024:8:1",
        })
        # The crawl asks thousands of questions from one address: it tests answers, not the limits
        # (tests/security and tests/tracking test those).
        for name in ("LOOKUP", "LOOKUP_CODE", "LOGIN", "UPLOAD", "DRAFT", "SUBMIT", "RESUMABLE"):
            env[f"COMMUNE_{name}_LIMIT"] = "100000 per minute"
        return env

    def flask(self, *args, stdin=None):
        result = subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=REPO, env=self.env(),
                                input=stdin, capture_output=True, text=True, timeout=600)
        if result.returncode != 0:
            raise AssertionError(f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def prepare(self, dossiers=300):
        """`make run`'s setup (migrations, the real catalog), then a demo commune (staff + dossiers)."""
        self.instance.mkdir(parents=True, exist_ok=True)
        self.flask("setup")
        printed = self.flask("demo", "--dossiers", str(dossiers))
        self.passwords = {role: (user, password) for role, user, password in _PASSWORD_RE.findall(printed)}
        assert self.passwords, f"`flask demo` printed no passwords:\n{printed}"

    def start(self, timeout=60):
        with open(self.log, "a") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "serve"], cwd=REPO,
                                            env=self.env(), stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited:\n{self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.2)
        raise AssertionError("the server did not answer /healthz in time")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        self.process = None

    def log_text(self):
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
