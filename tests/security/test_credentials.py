"""Villagers' credentials: two levels, they expire, "Thoát" forgets them, and guessing is bounded."""
import re
import time

import sqlalchemy as sa

from commune.dossiers import access
from commune.dossiers.models import Dossier
from commune.dossiers.states import Status
from commune.extensions import db
from tests.factories import make_dossier
from tests.journeys import fill_draft, open_in_browser, open_status_only, shown_key, submit_key
from tests.submissions.conftest import full_procedure  # noqa: F401 - fixture


def _submitted_here(client, procedure):
    """Submit the whole journey in `client`; returns (dossier, draft token, continue link)."""
    check = fill_draft(client, procedure).get_data(as_text=True)
    link = re.search(r'class="continue-link" readonly value="([^"]+)"', check).group(1)
    token = client.get_cookie("draft").value
    response = client.post("/nop-ho-so/nop", data={"submit_key": submit_key(client), "declaration": "y"})
    assert response.status_code == 302
    dossier = db.session.scalar(sa.select(Dossier).where(Dossier.status != Status.DRAFT.value))
    return dossier, token, link


def test_the_draft_cookie_and_the_continue_link_stop_at_submission(app, client, full_procedure):  # noqa: F811
    dossier, token, link = _submitted_here(client, full_procedure)
    photo = dossier.files[0]

    # The browser that submitted sees its receipt, key included, from its session.
    receipt = client.get(f"/ho-so/{dossier.code}/bien-nhan")
    assert receipt.status_code == 200
    key = shown_key(receipt.get_data(as_text=True), dossier)
    assert client.get(f"/tep/{photo.id}").status_code == 200

    # A browser left with only the old draft cookie (a shared phone weeks later) opens nothing.
    old_cookie = app.test_client()
    old_cookie.set_cookie(access.DRAFT_COOKIE, token)
    assert old_cookie.get(f"/tep/{photo.id}").status_code == 404
    assert old_cookie.get(f"/tep/{photo.id}/nho").status_code == 404
    assert "/tra-cuu" in old_cookie.get(f"/ho-so/{dossier.code}/bien-nhan").location
    assert key not in old_cookie.get(f"/ho-so/{dossier.code}").get_data(as_text=True)

    # The continue link leads to the look-up and grants nothing.
    path = link.split("://", 1)[1].split("/", 1)[1]
    followed = app.test_client()
    response = followed.get("/" + path)
    assert response.status_code == 302 and response.location.endswith("/tra-cuu")
    assert followed.get_cookie(access.DRAFT_COOKIE) is None
    assert followed.get(f"/tep/{photo.id}").status_code == 404
    assert "/tra-cuu" in followed.get(f"/ho-so/{dossier.code}/bien-nhan").location


def test_villager_access_ends_after_the_idle_time(app, client, monkeypatch):
    dossier = make_dossier()
    db.session.commit()
    open_in_browser(client, dossier)
    assert client.get(f"/ho-so/{dossier.code}/bien-nhan").status_code == 200
    idle = app.config["COMMUNE_VILLAGER_IDLE_MINUTES"] * 60
    now = time.time()
    monkeypatch.setattr(access.time, "time", lambda: now + idle - 60)
    assert client.get(f"/ho-so/{dossier.code}/bien-nhan").status_code == 200  # in use: still open
    monkeypatch.setattr(access.time, "time", lambda: now + 2 * idle)
    assert "/tra-cuu" in client.get(f"/ho-so/{dossier.code}/bien-nhan").location


def test_thoat_is_on_every_villager_page_and_forgets_everything(client):
    dossier = make_dossier(status="received")
    db.session.commit()
    open_in_browser(client, dossier)
    for url in (f"/ho-so/{dossier.code}", f"/ho-so/{dossier.code}/bien-nhan", f"/ho-so/{dossier.code}/rut",
                f"/ho-so/{dossier.code}/nhan-ket-qua"):
        html = client.get(url).get_data(as_text=True)
        assert 'action="/thoat"' in html and ">Thoát<" in html, url
    response = client.post("/thoat")
    assert response.status_code == 302
    assert "/tra-cuu" in client.get(f"/ho-so/{dossier.code}/bien-nhan").location
    assert 'action="/thoat"' not in client.get("/").get_data(as_text=True)
    assert client.get("/thoat").status_code == 405  # a link cannot log a villager out behind their back


def test_code_and_phone_show_the_status_and_the_key_opens_the_rest(client):
    dossier = make_dossier(status="received", applicant_name="Lò Thị Mai", applicant_id_number="001203004567")
    db.session.commit()
    open_status_only(client, dossier)
    page = client.get(f"/ho-so/{dossier.code}").get_data(as_text=True)
    assert "Việc cần làm bây giờ" in page and "Bạn chỉ cần chờ" in page
    assert "Lò Thị Mai" not in page and "001203004567" not in page and dossier.lookup_key not in page
    assert "mã tra cứu" in page and 'name="secret"' in page  # how to get full access, said plainly
    assert client.get(f"/ho-so/{dossier.code}/bien-nhan").status_code == 302
    assert client.post(f"/ho-so/{dossier.code}/rut", data={"reason": ""}).status_code == 404
    client.post("/tra-cuu", data={"code": dossier.code, "secret": dossier.lookup_key})
    assert "Lò Thị Mai" in client.get(f"/ho-so/{dossier.code}").get_data(as_text=True)


def test_files_are_never_cached_by_the_browser(app, client, login_as, full_procedure):  # noqa: F811
    dossier, _token, _link = _submitted_here(client, full_procedure)
    photo = dossier.files[0]
    for url in (f"/tep/{photo.id}", f"/tep/{photo.id}/nho"):
        assert client.get(url).headers["Cache-Control"] == "no-store", url
    clerk = app.test_client()
    login_as("clerk", client_=clerk)
    assert clerk.get(f"/hop-thu/ho-so/{dossier.id}/tep/{photo.id}/nho").headers["Cache-Control"] == "no-store"


def test_failed_look_ups_count_per_code_and_correct_ones_cost_nothing(app, client):
    app.config["COMMUNE_LOOKUP_CODE_LIMIT"] = "3 per hour"
    app.config["COMMUNE_LOOKUP_LIMIT"] = "1000 per minute"
    guessed, neighbour = make_dossier(), make_dossier()
    db.session.commit()
    for _ in range(3):
        wrong = client.post("/tra-cuu", data={"code": guessed.code, "secret": "0900000000"})
        assert wrong.status_code == 404
    assert client.post("/tra-cuu", data={"code": guessed.code, "secret": "0900000001"}).status_code == 429
    assert client.get(f"/ho-so/{guessed.code}?k=ACDEFG").status_code == 429  # the QR link shares the budget
    # A neighbour on the same Wi-Fi address is not locked out, however often they look their own up.
    for _ in range(10):
        assert client.post("/tra-cuu", data={"code": neighbour.code,
                                             "secret": neighbour.lookup_key}).status_code == 302


def test_failed_look_ups_count_per_address_too(app, client):
    app.config["COMMUNE_LOOKUP_LIMIT"] = "3 per minute"
    dossiers = [make_dossier() for _ in range(5)]
    db.session.commit()
    for _ in range(8):  # correct look-ups cost nothing
        assert client.post("/tra-cuu", data={"code": dossiers[0].code,
                                             "secret": dossiers[0].applicant_phone}).status_code == 302
    for d in dossiers[1:4]:
        assert client.post("/tra-cuu", data={"code": d.code, "secret": "0900000000"}).status_code == 404
    assert client.post("/tra-cuu", data={"code": dossiers[4].code, "secret": "0900000000"}).status_code == 429
