"""Staff never act as the villager: no key on their screens, no villager action from a staff session.

The key is printed for staff in one place only: the desk's Form 01 for a villager who came to the
counter, printed by a clerk (or admin) to hand over.
"""
import pytest

from commune.core.timeutil import utcnow
from commune.dossiers.models import CHANNEL_COUNTER
from commune.extensions import db
from commune.tracking.models import Rating
from tests.factories import make_dossier

KEY = "QX7R3M"


def _dossier(**values):
    values.setdefault("lookup_key", KEY)
    dossier = make_dossier(**values)
    db.session.commit()
    return dossier


@pytest.mark.parametrize("role", ["clerk", "officer", "leader", "admin"])
def test_staff_opening_the_villagers_pages_never_see_the_key(client, login_as, role):
    dossier = _dossier(status="returned")
    login_as(role)
    for url in (f"/ho-so/{dossier.code}/bien-nhan", f"/ho-so/{dossier.code}"):
        response = client.get(url)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert KEY not in html and "?k=" not in html, url
    page = client.get(f"/ho-so/{dossier.code}").get_data(as_text=True)
    assert "danh-gia" not in page and "Rút hồ sơ này" not in page and "Đổi cách nhận" not in page


@pytest.mark.parametrize("role", ["officer", "leader"])
def test_a_villager_session_is_worth_nothing_once_staff_log_in(app, client, login_as, role):
    """An officer who opens the QR link of a receipt, or logs in on the villager's browser, gets no rights."""
    dossier = _dossier(status="submitted", result_method="office")
    assert client.get(f"/ho-so/{dossier.code}?k={KEY}").status_code == 302  # the villager's full access
    login_as(role)
    attempts = [
        client.post(f"/ho-so/{dossier.code}/rut", data={"reason": "cán bộ rút hộ"}),
        client.post(f"/ho-so/{dossier.code}/nhan-ket-qua", data={"method": "office"}),
        client.post(f"/ho-so/{dossier.code}/bo-sung", data={"reply": "x"}),
    ]
    assert all(r.status_code in (403, 404) for r in attempts), [r.status_code for r in attempts]
    assert dossier.status == "submitted" and len(dossier.events) == 0

    # The key in a link does not grant anything to a staff session either, not even after logging out.
    other = app.test_client()
    login_as(role, client_=other)
    response = other.get(f"/ho-so/{dossier.code}?k={KEY}")
    assert response.status_code == 302 and "k=" not in response.location
    other.post("/dang-xuat")
    assert other.post(f"/ho-so/{dossier.code}/rut", data={"reason": "x"}).status_code == 404


def test_staff_cannot_rate_or_withdraw_as_citizen(client, login_as):
    dossier = _dossier(status="returned", finished_at=utcnow())
    login_as("leader")
    assert client.post(f"/ho-so/{dossier.code}/danh-gia", data={"score": "satisfied"}).status_code == 404
    assert db.session.query(Rating).count() == 0


def test_the_staff_look_up_is_refused_and_says_why(client, login_as):
    dossier = _dossier()
    login_as("officer")
    response = client.post("/tra-cuu", data={"code": dossier.code, "secret": KEY})
    assert response.status_code == 403
    assert "tài khoản cán bộ" in response.get_data(as_text=True)


def test_only_the_desks_slip_for_a_counter_villager_carries_the_key(app, client, login_as):
    counter = _dossier(status="received", channel=CHANNEL_COUNTER, received_at=utcnow())
    online = _dossier(status="received", received_at=utcnow(), lookup_key="AC3D4E")
    from commune.inbox.printables import qr_svg, tracking_url

    counter_link, online_link = (str(qr_svg(tracking_url(d, with_key=True))) for d in (counter, online))
    login_as("clerk")
    # The walk-in villager takes this paper home: it is their receipt, its QR link opens the dossier in full.
    # The key itself is printed once, right after intake (tests/inbox/test_counter.py): the database keeps
    # only its hash, so a reprint carries the QR link alone.
    slip = client.get(f"/hop-thu/ho-so/{counter.id}/in/tiep-nhan").get_data(as_text=True)
    assert counter_link in slip and KEY not in slip
    online_slip = client.get(f"/hop-thu/ho-so/{online.id}/in/tiep-nhan").get_data(as_text=True)
    assert "AC3D4E" not in online_slip and online_link not in online_slip
    control = client.get(f"/hop-thu/ho-so/{counter.id}/in/phieu-kiem-soat").get_data(as_text=True)
    assert KEY not in control and counter_link not in control
    officer = app.test_client()
    login_as("officer", client_=officer)
    officer_slip = officer.get(f"/hop-thu/ho-so/{counter.id}/in/tiep-nhan").get_data(as_text=True)
    assert KEY not in officer_slip and counter_link not in officer_slip


def test_the_notices_panel_shows_no_key(client, login_as):
    """The SMS bodies staff read in the dossier page never carry the key."""
    from commune.dossiers.workflow import transition
    from commune.notices.outbox import Notice
    from commune.notices.texts import sms_text

    dossier = _dossier(status="draft")
    event = transition(dossier, "submitted")
    db.session.add(Notice(dossier=dossier, channel="sms", to="0912345678", body=sms_text(dossier, event)))
    db.session.commit()
    login_as("clerk")
    html = client.get(f"/hop-thu/ho-so/{dossier.id}").get_data(as_text=True)
    assert dossier.display_code in html and KEY not in html
