"""Helpers for tracking tests: real codes, a phone photo, a villager's browser that looked the dossier up."""
import io

import pytest
from PIL import Image

from commune.core.tracking_codes import new_lookup_key, new_tracking_code
from commune.extensions import db
from tests.browser.conftest import browser, live_server, nojs_page, page  # noqa: F401 - browser fixtures
from tests.factories import make_dossier
from tests.photos import images


def photo(color=(30, 120, 200), size=(640, 480)):
    """A small JPEG, as a phone would send."""
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def pdf_file():
    """A one-page PDF, as exported from VNeID."""
    return images.pdf(1)


def new_dossier(**values):
    """A dossier with a real tracking code and lookup key (flushed)."""
    values.setdefault("code", new_tracking_code())
    values.setdefault("lookup_key", new_lookup_key())
    return make_dossier(**values)


def open_in_browser(client, dossier):
    """The villager's browser opens the dossier in full with the key on the receipt (code + key)."""
    response = client.post("/tra-cuu", data={"code": dossier.code, "secret": dossier.lookup_key})
    assert response.status_code == 302
    return response


def open_status_only(client, dossier):
    """Someone who knows the code and the phone number (the villager, or a carrier) looks it up."""
    response = client.post("/tra-cuu", data={"code": dossier.code, "secret": dossier.applicant_phone})
    assert response.status_code == 302
    return response


def holds_in_full(client, dossier):
    """This browser holds the dossier in full, as the one that submitted it (or scanned its QR code)."""
    db.session.commit()
    open_in_browser(client, dossier)


@pytest.fixture
def villager(client):
    """A dossier submitted by this browser's villager (looked up, so the browser may see it)."""
    dossier = new_dossier()
    db.session.commit()
    open_in_browser(client, dossier)
    return dossier
