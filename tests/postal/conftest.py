"""Postal fixtures: ready results that go home by post, a clerk's manifest, a carrier holding items."""
import pytest
import sqlalchemy as sa

from commune.extensions import db
from commune.postal import services
from commune.postal.models import ManifestItem
from tests.browser.conftest import browser, live_server, nojs_page, page  # noqa: F401  (browser fixtures)
from tests.factories import make_user, ready_by_post


@pytest.fixture
def make_ready():
    return ready_by_post


@pytest.fixture
def handed(app):
    """Two results handed to a carrier (manifest confirmed); returns (carrier, [items])."""

    def build(carrier=None, count=2):
        clerk = make_user("clerk")
        carrier = carrier or make_user("postal")
        dossiers = [ready_by_post(name=f"Người nhận {i}", village=f"Thôn {i % 2}") for i in range(count)]
        manifest = services.create_manifest(dossiers, clerk)
        services.confirm_manifest(manifest, carrier, {i.id: "" for i in manifest.items},
                                  services.new_token())
        db.session.commit()
        items = db.session.scalars(sa.select(ManifestItem).where(ManifestItem.manifest_id == manifest.id)
                                   .order_by(ManifestItem.position)).all()
        return carrier, items

    return build
