"""Wiring done once by create_app(): extensions and web hooks."""
import logging
import re
import sys
import time

from flask import g, request
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine

from ..core import i18n, roles
from ..core.enum_column import column_enums
from ..core.settings import get_settings
from ..extensions import babel, compress, csrf, db, limiter, login_manager
from . import assets, converters, errors, health, proxy, request_cost, robots, security

log = logging.getLogger("commune.request")


def _sqlite_pragmas(dbapi_connection, _record):
    """WAL for concurrent readers, real foreign keys, a wait instead of 'database is locked', and
    synchronous=FULL: a commit (a receipt shown) survives a power cut (docs/security.md)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


_WORK_MEM_RE = re.compile(r"^\d{1,7}(kB|MB|GB)$")


def _pg_work_mem(app):
    """COMMUNE_PG_WORK_MEM if well formed (e.g. 16MB), else None (the server's own value)."""
    value = str(app.config.get("COMMUNE_PG_WORK_MEM") or "").strip()
    return value if _WORK_MEM_RE.match(value) else None


def _pg_session(dbapi_connection, work_mem):
    """Each new connection: work_mem for the search's bitmaps. At 1,000,000 dossiers a common
    name's matches no longer fit the default 4 MB, the bitmap turns lossy and every row of its
    pages is checked again (8 s instead of 0.6 s for "tran van"; BENCHMARKS.md)."""
    cursor = dbapi_connection.cursor()
    cursor.execute(f"SET work_mem = '{work_mem}'")  # checked by _WORK_MEM_RE: digits and a unit
    cursor.close()
    dbapi_connection.commit()


def init_extensions(app):
    """Bind every extension to the app."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgresql://"):
        # psycopg 3 is our driver; accept the plain URL form too.
        app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + uri[len("postgresql://"):]
    if uri.startswith("sqlite"):
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"connect_args": {"timeout": 5}})
    db.init_app(app)
    if uri.startswith("sqlite"):
        with app.app_context():
            event.listen(db.engine, "connect", _sqlite_pragmas)
    elif uri.startswith("postgresql") and (work_mem := _pg_work_mem(app)):
        with app.app_context():
            event.listen(db.engine, "connect", lambda connection, _record: _pg_session(connection, work_mem))
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Vui lòng đăng nhập để tiếp tục."
    login_manager.session_protection = "strong"
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=lambda: "Asia/Ho_Chi_Minh")
    compress.init_app(app)
    limiter.init_app(app)
    request_cost.init_app(app)


@request_cost.exempt_from_limits
def _unlimited():
    """Routes that carry no rate limit skip the limiter's bookkeeping (it costs more than they do)."""
    return request.endpoint in ("static", "assets_css", "healthz", "robots")


def init_web(app):
    """Request logging, security headers, error pages, template helpers."""
    converters.init_app(app)  # before any route is added: bounded <int:…> everywhere
    if not logging.getLogger().handlers:
        logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(message)s")
        # Our format shows the message alone: a record need not look up its thread and process
        # (a tenth of what a kept page costs). A deployment's own logging config keeps them.
        logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    log.setLevel(logging.INFO)

    @app.before_request
    def _start_timer():
        g.request_started = time.perf_counter()

    @app.after_request
    def _log_request(response):
        started = g.get("request_started")
        ms = (time.perf_counter() - started) * 1000 if started else 0.0
        # The route pattern, never the concrete path: paths can carry codes and tokens.
        rule = request.url_rule.rule if request.url_rule else "-"
        log.info("%s %s %s %.1fms", request.method, rule, response.status_code, ms)
        return response

    security.init_app(app)
    proxy.init_app(app)  # the real client behind COMMUNE_TRUSTED_PROXIES; unknown Host names get 400
    errors.init_app(app)
    assets.init_app(app)
    i18n.init_app(app)
    health.init_app(app)
    robots.init_app(app)
    _template_globals(app)


def _template_globals(app):

    @app.context_processor
    def _settings():
        # Read lazily: pages that never show settings never query them.
        cache = {}

        def site():
            if "values" not in cache:
                cache["values"] = get_settings()
            return cache["values"]

        return {"site": site}

    def staff_links():
        """Top navigation for the logged-in staff member's role."""
        links = (
            ("inbox.index", "Hộp thư", roles.DOSSIER_READERS),
            ("postal.my_items", "Bưu chính", roles.POST_ROOM),
            ("payments.statements", "Lệ phí", roles.DESK),
            ("reports.figures", "Số liệu", roles.FIGURE_READERS),
            ("admin.index", "Quản trị", roles.ADMINS),
            ("accounts.change_password", "Mật khẩu", roles.EVERY_STAFF),
        )
        return [(e, label) for e, label, group in links if roles.is_in(current_user, group)]

    # Templates ask the same named groups as the views: {% if is_in(current_user, roles.DESK) %}.
    app.jinja_env.globals.update(staff_links=staff_links, is_in=roles.is_in, roles=roles)
    # Templates compare states with their enums, never a string: {% if item.state == ItemState.HELD %}.
    app.jinja_env.globals.update(column_enums(db.metadata))
    app.jinja_env.add_extension("jinja2.ext.do")


__all__ = ["init_extensions", "init_web", "db", "Engine"]
