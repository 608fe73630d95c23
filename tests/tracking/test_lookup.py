"""A villager finds their dossier with the code and phone (or the key), and nobody else can."""
import hmac

import pytest

from commune.dossiers.states import Status
from commune.extensions import db
from commune.tracking import services
from tests.conftest import make_app
from tests.factories import new_dossier
from tests.journeys import open_in_browser

NOT_FOUND = "Không tìm thấy hồ sơ với mã và số điện thoại"


def test_lookup_form_asks_for_code_and_phone(client):
    html = client.get("/tra-cuu").get_data(as_text=True)
    assert "Mã hồ sơ" in html and "Số điện thoại" in html


@pytest.mark.parametrize("typed_code, typed_phone", [
    ("{dashed}", "0912345678"),
    ("{lower}", "0912 345 678"),
    (" {spaced} ", "+84912345678"),
    ("{dashed}", "84 912-345-678"),
])
def test_right_code_and_phone_open_the_tracking_page(client, typed_code, typed_phone):
    dossier = new_dossier(applicant_phone="0912345678")
    db.session.commit()
    code = typed_code.format(dashed=dossier.display_code, lower=dossier.display_code.lower(),
                             spaced=" ".join(dossier.code))
    response = client.post("/tra-cuu", data={"code": code, "secret": typed_phone})
    assert response.status_code == 302
    assert response.location.endswith(f"/ho-so/{dossier.code}")
    page = client.get(response.location).get_data(as_text=True)
    assert dossier.display_code in page
    assert "Việc cần làm bây giờ" in page


def test_wrong_phone_gets_the_same_answer_as_a_missing_code(client):
    dossier = new_dossier(applicant_phone="0912345678")
    db.session.commit()
    wrong_phone = client.post("/tra-cuu", data={"code": dossier.code, "secret": "0987654321"})
    missing = client.post("/tra-cuu", data={"code": "QQQQQQQQQQ", "secret": "0912345678"})
    assert wrong_phone.status_code == missing.status_code == 404
    first = wrong_phone.get_data(as_text=True).replace(dossier.code, "X")
    second = missing.get_data(as_text=True).replace("QQQQQQQQQQ", "X")
    assert NOT_FOUND in first
    assert first.replace("0987654321", "P") == second.replace("0912345678", "P")
    # and the wrong guess did not open the dossier
    assert dossier.applicant_name not in client.get(f"/ho-so/{dossier.code}").get_data(as_text=True)


def test_lookup_does_the_same_constant_time_work_for_a_miss_and_a_hit(app, monkeypatch):
    dossier = new_dossier(applicant_phone="0912345678")
    db.session.commit()
    calls = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((len(a), len(b)))
        return real(a, b)

    monkeypatch.setattr(services.hmac, "compare_digest", spy)
    assert services.lookup("QQQQQQQQQQ", "0912345678") == (None, None)
    missing_calls = list(calls)
    calls.clear()
    assert services.lookup(dossier.code, "0987654321") == (None, None)
    # The applicant's phone, the helper's ("nộp thay", here none: a dummy) and the key.
    assert len(calls) == len(missing_calls) == 3
    assert calls == missing_calls


def test_lookup_key_from_the_receipt_works_instead_of_the_phone(client):
    dossier = new_dossier()
    db.session.commit()
    response = client.post("/tra-cuu", data={"code": dossier.code, "secret": dossier.lookup_key.lower()})
    assert response.status_code == 302
    assert dossier.applicant_name in client.get(response.location).get_data(as_text=True)


def test_drafts_cannot_be_looked_up(client):
    dossier = new_dossier(status=Status.DRAFT.value)
    db.session.commit()
    response = client.post("/tra-cuu", data={"code": dossier.code, "secret": dossier.applicant_phone})
    assert response.status_code == 404


def test_qr_link_with_the_key_opens_the_dossier_and_hides_the_key(client):
    dossier = new_dossier()
    db.session.commit()
    response = client.get(f"/ho-so/{dossier.code}?k={dossier.lookup_key}")
    assert response.status_code == 302
    assert response.location.endswith(f"/ho-so/{dossier.code}")  # the key leaves the address bar
    assert dossier.applicant_name in client.get(response.location).get_data(as_text=True)


def test_qr_link_with_a_wrong_key_shows_not_found(client):
    dossier = new_dossier(lookup_key="ACDEFG")
    db.session.commit()
    response = client.get(f"/ho-so/{dossier.code}?k=GFEDCA")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert NOT_FOUND in html and dossier.applicant_name not in html


def test_a_stranger_opening_the_tracking_page_gets_the_lookup_form(client):
    dossier = new_dossier(applicant_name="Trần Thị Bích")
    db.session.commit()
    html = client.get(f"/ho-so/{dossier.code}").get_data(as_text=True)
    assert "Tra cứu hồ sơ" in html
    assert "Trần Thị Bích" not in html
    assert f'value="{dossier.code}"' in html  # the code is already filled in


def test_staff_can_open_the_tracking_page_read_only(client, login_as):
    dossier = new_dossier(applicant_name="Trần Thị Bích")
    db.session.commit()
    login_as("clerk")
    html = client.get(f"/ho-so/{dossier.code}").get_data(as_text=True)
    assert "Trần Thị Bích" in html
    assert "như người dân thấy" in html
    assert "Rút hồ sơ này" not in html


def test_too_many_lookups_are_refused_with_a_wait_in_minutes(tmp_path):
    app = make_app(tmp_path, COMMUNE_LOOKUP_LIMIT="3 per 10 minutes")
    with app.app_context():
        client = app.test_client()
        for _ in range(3):
            assert client.post("/tra-cuu", data={"code": "QQQQQQQQQQ", "secret": "0912345678"}).status_code == 404
        response = client.post("/tra-cuu", data={"code": "QQQQQQQQQQ", "secret": "0912345678"})
        assert response.status_code == 429
        assert "Hãy thử lại sau 10 phút" in response.get_data(as_text=True)
        # the QR key link shares the same budget
        assert client.get("/ho-so/QQQQQQQQQQ?k=ABCDEF").status_code == 429
        # but reading a page already opened is not a lookup
        assert client.get("/tra-cuu").status_code == 200
        db.session.remove()
        db.engine.dispose()


def test_lookup_remembers_the_dossier_for_this_browser_only(client, app):
    dossier = new_dossier()
    db.session.commit()
    open_in_browser(client, dossier)
    assert dossier.applicant_name in client.get(f"/ho-so/{dossier.code}").get_data(as_text=True)
    other_browser = app.test_client()
    assert dossier.applicant_name not in other_browser.get(f"/ho-so/{dossier.code}").get_data(as_text=True)
