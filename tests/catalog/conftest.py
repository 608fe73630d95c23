"""Real-browser fixtures shared with tests/browser (served app, Chromium page)."""
from tests.browser.conftest import browser, live_server, nojs_page, page  # noqa: F401
