"""Helpers for tracking tests: real codes, a phone photo, a villager's browser that looked the dossier up."""

import pytest

from commune.extensions import db
from tests.browser.conftest import browser, live_server, nojs_page, page  # noqa: F401 - browser fixtures
from tests.factories import new_dossier
from tests.journeys import open_in_browser


@pytest.fixture
def villager(client):
    """A dossier submitted by this browser's villager (looked up, so the browser may see it)."""
    dossier = new_dossier()
    db.session.commit()
    open_in_browser(client, dossier)
    return dossier
