"""A stranger who knows a tracking code cannot lock its villager out, and cannot guess the key either.

Only failed look-ups count: 10 a minute and 100 a day per address, and (from every address together)
300 a day per code for the short key and the phone. The receipt's QR link carries a 100-bit token that is
never limited per code, and the database keeps the key only as a keyed hash.
"""
import hmac

import pytest
import sqlalchemy as sa

from commune.config import build_config
from commune.dossiers import codes
from commune.dossiers.attachments import attach_file
from commune.dossiers.codes import hash_lookup_key, link_token
from commune.dossiers.models import Dossier
from commune.extensions import db
from commune.tracking import services
from tests.conftest import make_app
from tests.factories import new_dossier, photo

PHONE = "0912345678"
WRONG_KEYS = ["ACDEFG", "HJKMNP", "QRTUVW", "XY3467", "9ACDEF", "GHJKMN", "PQRTUV", "WXY346", "79ACDE", "FGHJKM"]
OWNER = {"REMOTE_ADDR": "198.51.100.20"}
LOCKED = "Tạm khoá nhập mã cho hồ sơ này"


def _shipped_limits(tmp_path, **overrides):
    """An app with the look-up limits as shipped (config.py defaults), not the suite's generous ones."""
    shipped = build_config(str(tmp_path / "instance"))
    return make_app(tmp_path, COMMUNE_LOOKUP_LIMIT=shipped["COMMUNE_LOOKUP_LIMIT"],
                    COMMUNE_LOOKUP_CODE_LIMIT=shipped["COMMUNE_LOOKUP_CODE_LIMIT"], **overrides)


@pytest.fixture
def shipped_app(tmp_path):
    app = _shipped_limits(tmp_path)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _stranger(n):
    return {"REMOTE_ADDR": f"203.0.113.{n}"}


def _guess_from_many_addresses(app, code, addresses, per_address=10):
    """Strangers guess keys for `code`, each address up to its per-minute budget, by form and by link."""
    for n in range(addresses):
        stranger = app.test_client()
        for i in range(per_address):
            wrong = WRONG_KEYS[i % len(WRONG_KEYS)]
            if i % 2:
                response = stranger.get(f"/ho-so/{code}?k={wrong}", environ_base=_stranger(n))
            else:
                response = stranger.post("/tra-cuu", data={"code": code, "secret": wrong}, environ_base=_stranger(n))
            assert response.status_code == 404, (n, i, response.status_code)


def _opens_in_full(client, dossier):
    html = client.get(f"/ho-so/{dossier.code}", environ_base=OWNER).get_data(as_text=True)
    return dossier.applicant_name in html


def _owner_setup(app):
    with app.app_context():
        dossier = new_dossier(applicant_phone=PHONE, applicant_name="Lò Văn Chủ")
        db.session.commit()
        return dossier.id, dossier.code, dossier.lookup_key, link_token(dossier.lookup_key_hash)


def test_a_strangers_wrong_keys_never_stop_the_owners_qr_link_typed_key_or_phone(shipped_app):
    app = shipped_app
    _id, code, key, token = _owner_setup(app)
    # Fifty wrong keys from five addresses: the old limit (10 an hour per code) locked the owner out for an hour.
    _guess_from_many_addresses(app, code, addresses=5)
    qr = app.test_client()
    assert qr.get(f"/ho-so/{code}?k={token}", environ_base=OWNER).status_code == 302  # the receipt's QR link
    assert "Lò Văn Chủ" in qr.get(f"/ho-so/{code}", environ_base=OWNER).get_data(as_text=True)
    typed = app.test_client()
    response = typed.post("/tra-cuu", data={"code": code, "secret": key.lower()}, environ_base=OWNER)
    assert response.status_code == 302
    assert "Lò Văn Chủ" in typed.get(f"/ho-so/{code}", environ_base=OWNER).get_data(as_text=True)
    old_receipt = app.test_client()  # a receipt printed before: its QR link carries the short key
    assert old_receipt.get(f"/ho-so/{code}?k={key}", environ_base=OWNER).status_code == 302
    phone = app.test_client()
    response = phone.post("/tra-cuu", data={"code": code, "secret": "0912 345 678"}, environ_base=OWNER)
    assert response.status_code == 302
    assert code[:4] in phone.get(f"/ho-so/{code}", environ_base=OWNER).get_data(as_text=True)


def test_when_a_code_is_hammered_all_day_its_qr_link_and_open_browsers_still_work(shipped_app):
    app = shipped_app
    _id, code, key, token = _owner_setup(app)
    already_open = app.test_client()
    assert already_open.get(f"/ho-so/{code}?k={token}", environ_base=OWNER).status_code == 302
    _guess_from_many_addresses(app, code, addresses=30)  # 300 failures: the code's budget for the day
    newcomer = app.test_client()
    refused = newcomer.post("/tra-cuu", data={"code": code, "secret": key}, environ_base=OWNER)
    assert refused.status_code == 429  # checked no more today: the 301st guess is never tried
    html = refused.get_data(as_text=True)
    assert LOCKED in html and "Quét mã QR trên biên nhận vẫn mở được hồ sơ" in html
    assert newcomer.get(f"/ho-so/{code}?k={key}", environ_base=OWNER).status_code == 429
    # The QR link's token cannot be guessed, so it is never limited per code; nor is a browser already in.
    assert newcomer.get(f"/ho-so/{code}?k={token}", environ_base=OWNER).status_code == 302
    assert "Lò Văn Chủ" in newcomer.get(f"/ho-so/{code}", environ_base=OWNER).get_data(as_text=True)
    assert "Lò Văn Chủ" in already_open.get(f"/ho-so/{code}", environ_base=OWNER).get_data(as_text=True)
    # Other codes are untouched.
    with app.app_context():
        other = new_dossier(applicant_phone="0987654321")
        db.session.commit()
        other_code, other_key = other.code, other.lookup_key
    assert app.test_client().post("/tra-cuu", data={"code": other_code, "secret": other_key},
                                  environ_base=OWNER).status_code == 302


def test_a_browser_that_opened_the_dossier_before_types_its_key_even_when_the_code_is_hammered(shipped_app):
    """The owner's own phone: its key opened the dossier once, so strangers' failures never pause it."""
    app = shipped_app
    _id, code, key, _token = _owner_setup(app)
    phone = app.test_client()
    assert phone.post("/tra-cuu", data={"code": code, "secret": key}, environ_base=OWNER).status_code == 302
    assert phone.get_cookie("owner") is not None
    with phone.session_transaction() as session:  # days later: the grant itself has long lapsed
        session.pop("villager", None)
    _guess_from_many_addresses(app, code, addresses=30)  # the code's budget for the day is spent
    assert app.test_client().post("/tra-cuu", data={"code": code, "secret": key},
                                  environ_base=OWNER).status_code == 429  # any other browser waits
    again = phone.post("/tra-cuu", data={"code": code, "secret": key}, environ_base=OWNER)
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/ho-so/{code}")
    assert "Lò Văn Chủ" in phone.get(f"/ho-so/{code}", environ_base=OWNER).get_data(as_text=True)
    # The mark opens nothing by itself: a wrong key from that browser is still refused, and counted.
    assert phone.post("/tra-cuu", data={"code": code, "secret": "ACDEFG"}, environ_base=OWNER).status_code == 404
    # A stranger cannot copy the mark to another code, nor forge one.
    stranger = app.test_client()
    stranger.set_cookie("owner", "W10.forged")
    assert stranger.post("/tra-cuu", data={"code": code, "secret": key},
                         environ_base=OWNER).status_code == 429
    # "Thoát" on a shared phone forgets the mark too.
    phone.post("/thoat", data={})
    assert phone.get_cookie("owner") is None


def test_a_guesser_from_one_address_gets_429_after_its_limit_and_others_are_not_affected(shipped_app):
    app = shipped_app
    _id, code, key, token = _owner_setup(app)
    guesser = app.test_client()
    _guess_from_many_addresses(app, code, addresses=1)  # 203.0.113.0 spends its 10 a minute
    refused = guesser.post("/tra-cuu", data={"code": code, "secret": key}, environ_base=_stranger(0))
    assert refused.status_code == 429  # the address waits: no key is checked for it, not even the right one
    assert "Hãy thử lại sau" in refused.get_data(as_text=True)
    assert guesser.get(f"/ho-so/{code}?k=ACDEFG", environ_base=_stranger(0)).status_code == 429
    owner = app.test_client()
    assert owner.post("/tra-cuu", data={"code": code, "secret": key}, environ_base=OWNER).status_code == 302


def test_right_look_ups_cost_nothing_however_many(shipped_app):
    """A busy office behind one address: a hundred villagers who type their key right are never refused."""
    app = shipped_app
    _id, code, key, token = _owner_setup(app)
    for _ in range(120):
        assert app.test_client().post("/tra-cuu", data={"code": code, "secret": key},
                                      environ_base=OWNER).status_code == 302


def test_the_database_holds_no_clear_key(app, client):
    dossier = new_dossier(applicant_phone=PHONE)
    db.session.commit()
    key = dossier.lookup_key
    row = db.session.execute(sa.select(Dossier.__table__).where(Dossier.id == dossier.id)).mappings().one()
    assert "lookup_key" not in row
    assert not any(key in str(value) for value in row.values())
    assert row["lookup_key_hash"] == hash_lookup_key(dossier.code, key) and len(row["lookup_key_hash"]) == 64
    # Without the server's secret the stored hash tells nothing: another secret gives another hash.
    assert hash_lookup_key(dossier.code, key, secret_key="a stolen backup's guess") != row["lookup_key_hash"]
    # A fresh read has the hash only; the key still opens the dossier.
    db.session.expire_all()
    fresh = db.session.get(Dossier, dossier.id)
    fresh.__dict__.pop("_clear_lookup_key", None)
    assert fresh.lookup_key is None
    assert client.post("/tra-cuu", data={"code": dossier.code, "secret": key}).status_code == 302


def test_the_same_key_hashes_differently_for_two_dossiers(app):
    first = new_dossier(lookup_key="ACDEFG")
    second = new_dossier(lookup_key="ACDEFG")
    assert first.lookup_key_hash != second.lookup_key_hash  # bound to the code: no row betrays another


def test_a_right_and_a_wrong_key_cost_the_same_work(app, monkeypatch):
    """The same HMAC and constant-time comparisons for a hit, a miss and an unknown code, by form and by link."""
    dossier = new_dossier(applicant_phone=PHONE)
    db.session.commit()
    key, token = dossier.lookup_key, link_token(dossier.lookup_key_hash)
    calls = []
    real_compare, real_hash = hmac.compare_digest, codes.hash_lookup_key

    def compare(a, b):
        calls.append("compare")
        return real_compare(a, b)

    def hashed(code, typed, secret_key=None):
        calls.append("hash")
        return real_hash(code, typed, secret_key)

    monkeypatch.setattr(hmac, "compare_digest", compare)
    monkeypatch.setattr(services, "hash_lookup_key", hashed)
    work = {}
    for name, code, secret in [("hit", dossier.code, key), ("miss", dossier.code, "QQQQQQ"),
                               ("unknown", "QQQQQQQQQQ", key), ("phone", dossier.code, PHONE),
                               ("wrong phone", dossier.code, "0987654321"), ("phone, unknown", "QQQQQQQQQQ", PHONE)]:
        calls.clear()
        services.lookup(code, secret)
        work[name] = list(calls)
    assert work["hit"] == work["miss"] == work["unknown"]  # what is done depends on what was typed, never on
    assert work["phone"] == work["wrong phone"] == work["phone, unknown"]  # what is stored
    link_work = {}
    for name, code, k in [("hit", dossier.code, token), ("miss", dossier.code, "A" * 20),
                          ("unknown", "QQQQQQQQQQ", token)]:
        calls.clear()
        assert services.key_matches(services.find_by_code(code), k) is (name == "hit")
        link_work[name] = list(calls)
    assert link_work["hit"] == link_work["miss"] == link_work["unknown"]


def test_a_result_downloads_a_hundred_times_with_the_right_key_from_one_address(shipped_app):
    app = shipped_app
    with app.app_context():
        dossier = new_dossier(status="ready", applicant_phone=PHONE)
        row = attach_file(dossier, photo((40, 40, 40)), "ket-qua.jpg", purpose="result")
        db.session.commit()
        code, key, file_id = dossier.code, dossier.lookup_key, row.id
    office = app.test_client()  # a busy office's Wi-Fi: one address
    assert office.post("/tra-cuu", data={"code": code, "secret": key}, environ_base=OWNER).status_code == 302
    for _ in range(100):
        assert office.get(f"/ho-so/{code}/ket-qua/{file_id}", environ_base=OWNER).status_code == 200
    # Only refusals count against the address.
    stranger = app.test_client()
    for _ in range(60):
        assert stranger.get(f"/ho-so/{code}/ket-qua/{file_id}", environ_base=_stranger(9)).status_code == 404
    assert stranger.get(f"/ho-so/{code}/ket-qua/{file_id}", environ_base=_stranger(9)).status_code == 429
    assert office.get(f"/ho-so/{code}/ket-qua/{file_id}", environ_base=OWNER).status_code == 200


def test_the_session_cookie_carries_the_key_sealed_never_in_clear(app, client):
    dossier = new_dossier(applicant_phone=PHONE)
    db.session.commit()
    key = dossier.lookup_key
    assert client.post("/tra-cuu", data={"code": dossier.code, "secret": key}).status_code == 302
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session")).value
    payload = app.session_interface.get_signing_serializer(app).loads(cookie)
    assert key not in cookie and key not in str(payload)
    receipt = client.get(f"/ho-so/{dossier.code}/bien-nhan").get_data(as_text=True)
    assert f">{key}</p>" in receipt  # the browser that typed it sees it on the receipt, unsealed
