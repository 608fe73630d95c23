"""The site as `make run` starts it: `flask setup`, `flask demo`, then `flask serve` (waitress) in a process
of its own, on SQLite or on a PostgreSQL database of its own, reached only over HTTP.

Used by the crawl (test_crawl.py): one process answers every visitor one request after another, as a
commune's server does all day, and its log is read afterwards for any traceback.
"""
import re

from tests.security.live_site import Site

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


class RunningSite(Site):
    """One commune site with demo data, served by `flask serve` on a free loopback port."""

    def __init__(self, root, postgres_url=None):
        super().__init__(root)
        self.passwords = {}  # role -> (username, password), as `flask demo` printed them
        if postgres_url:
            name = f"{(postgres_url.rsplit('/', 1)[-1] or 'commune')}_crawl"
            self.database_url = _postgres_database(postgres_url, name)
        else:
            self.database_url = f"sqlite:///{self.db_path}"

    def env(self):
        env = super().env()
        env.update({"COMMUNE_DATABASE_URL": self.database_url, "COMMUNE_PASSWORD_HASH": "scrypt:1024:8:1"})
        # The crawl asks thousands of questions from one address: it tests answers, not the limits
        # (tests/security and tests/tracking test those).
        for name in ("LOOKUP", "LOOKUP_CODE", "LOGIN", "UPLOAD", "DRAFT", "SUBMIT", "RESUMABLE"):
            env[f"COMMUNE_{name}_LIMIT"] = "100000 per minute"
        return env

    def prepare(self, dossiers=300):
        """`make run`'s setup (migrations, the real catalog), then a demo commune (staff + dossiers)."""
        self.instance.mkdir(parents=True, exist_ok=True)
        self.flask("setup")
        printed = self.flask("demo", "--dossiers", str(dossiers)).stdout
        self.passwords = {role: (user, password) for role, user, password in _PASSWORD_RE.findall(printed)}
        assert self.passwords, f"`flask demo` printed no passwords:\n{printed}"

    def log_text(self):
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
