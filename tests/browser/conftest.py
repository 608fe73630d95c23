"""Real-browser fixtures: the site served by waitress on a loopback port, Debian's Chromium via Playwright.

`live_server` is a fresh app (CSRF on, real catalog) on its own port; `page` is a
phone-sized page (360×740) that records console errors (CSP violations included).
In CI a missing Chromium fails the run instead of skipping.
"""
import atexit
import os
import shutil
import socket
import threading

import pytest

from commune.extensions import db
from tests.conftest import IN_CI, make_app

CHROMIUM = os.environ.get("COMMUNE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(items):
    """Every test that uses the browser is a `browser` test (deselect with -m "not browser")."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()) or "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, app, url):
        self.app = app
        self.url = url

    def __call__(self, path="/"):
        return self.url + path


@pytest.fixture
def live_server(tmp_path, monkeypatch):
    from waitress.server import create_server

    monkeypatch.setenv("COMMUNE_INSTANCE_PATH", str(tmp_path / "instance"))
    port = _free_port()
    app = make_app(tmp_path, with_catalog=True, WTF_CSRF_ENABLED=True, TESTING=False,
                   COMMUNE_PUBLIC_URL=f"http://127.0.0.1:{port}")
    server = create_server(app, host="127.0.0.1", port=port, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield LiveServer(app, f"http://127.0.0.1:{port}")
    # Stop the loop from its own thread: closing its sockets under a running select() makes
    # that thread fail with "Bad file descriptor". With every channel closed, the loop ends.
    server.trigger.pull_trigger(lambda: [channel.close() for channel in list(server._map.values())])
    thread.join(timeout=10)
    server.task_dispatcher.shutdown()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


_shared = {}


def _shared_browser():
    """One Playwright and one Chromium for the whole run, however many conftests import the fixture."""
    if "browser" not in _shared:
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        _shared["playwright"] = playwright
        _shared["browser"] = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        atexit.register(_close_shared)
    return _shared["browser"]


def _close_shared():
    browser = _shared.pop("browser", None)
    if browser is not None:
        browser.close()
        _shared.pop("playwright").stop()


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if IN_CI:
            pytest.fail(f"Chromium not found at {CHROMIUM}: CI must install it (apt-get install chromium)")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    return _shared_browser()


def _new_page(browser, **options):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN", **options)
    page = context.new_page()
    page.console_errors = []
    page.visited = []  # every page this tab loaded, for the accessibility check at the end
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    page.on("load", lambda loaded: page.visited.append(loaded.url))
    return context, page


def _audit_visited(browser, context, page):
    """axe on every page the test visited, as the visitor saw it (their cookies), in a fresh tab:
    a serious or critical violation fails the test. Pages answered to a POST are fetched again
    with a GET (what the address bar shows)."""
    urls = []
    for url in page.visited:
        url = url.split("#")[0]
        if url.startswith("http://127.0.0.1:") and "/static/" not in url and url not in urls:
            urls.append(url)
    if not urls:
        return
    origin = "/".join(urls[0].split("/")[:3])
    checker = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
    try:
        checker.add_cookies(context.cookies())
        tab = checker.new_page()
        problems = []
        for url in urls:
            tab.goto(url)
            found = axe_violations(tab, lambda path, origin=origin: origin + path)
            problems += [f"{url}: {v}" for v in found]
        assert not problems, "accessibility (axe, serious or critical):\n" + "\n".join(problems)
    finally:
        checker.close()


@pytest.fixture
def page(browser, live_server):  # live_server first: it must outlive the check at the end
    """A phone-sized page with JavaScript on; every page it visited is checked with axe at the end."""
    context, page = _new_page(browser)
    yield page
    try:
        _audit_visited(browser, context, page)
    finally:
        context.close()


@pytest.fixture
def nojs_page(browser, live_server):
    """A phone-sized page with JavaScript off: every villager page must still work (and pass axe)."""
    context, page = _new_page(browser, java_script_enabled=False)
    yield page
    try:
        _audit_visited(browser, context, page)
    finally:
        context.close()


def horizontal_overflow(page):
    """Pixels the page is wider than the screen (0 when it fits 360 px)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def axe_violations(page, live_server):
    """Serious or critical accessibility violations found by axe-core (served from static/vendor)."""
    page.add_script_tag(url=live_server("/static/vendor/axe.min.js"))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])})"
        for v in result["violations"] if v["impact"] in ("serious", "critical")
    ]
