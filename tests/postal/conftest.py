"""Postal fixtures: ready results that go home by post, a clerk's manifest, a carrier holding items."""
import pytest
import sqlalchemy as sa

from commune.core.timeutil import utcnow
from commune.extensions import db
from commune.postal import services
from commune.postal.models import ManifestItem
from tests.browser.conftest import browser, live_server, nojs_page, page  # noqa: F401  (browser fixtures)
from tests.factories import make_dossier, make_user


def ready_by_post(name="Lò Thị Mai", village="Bản Na Hang", phone="0987654321", fee=20000, **values):
    """A result ready to go home by post (flushed)."""
    return make_dossier(
        status="ready", result_method="post", ready_at=values.pop("ready_at", utcnow()), fee_vnd=fee,
        delivery_name=name, delivery_phone=phone, delivery_address=values.pop("address", "Nhà số 12"),
        delivery_village=village, delivery_note=values.pop("note", "Gọi trước khi đến"),
        form_data={"ho_ten_cha": "Bí mật gia đình"}, applicant_id_number="001203004567", **values,
    )



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
