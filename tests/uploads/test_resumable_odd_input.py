"""Odd numbers and made-up ids on the upload addresses: a 4xx every time, never a 500, nothing left on disk."""
import io
import secrets

import pytest

from tests.journeys import waiting_for_supplement
from tests.uploads.tus_client import (
    TUS,
    create,
    everything_in,
    patch,
    procedure_with_one_document,
    villager_at,
)

ODD_NUMBERS = ["%C2%B2", "%C2%B9", "%D9%A3", "%EF%BC%93", "1%C2%B2", "99999999999999999999"]  # ² ¹ ٣ ３ 1² 10**20


@pytest.fixture
def villager(app):
    app.config["COMMUNE_RESUMABLE_LIMIT"] = "100000 per hour"
    return villager_at(app, procedure_with_one_document(), "203.0.113.20")


@pytest.mark.parametrize("number", ODD_NUMBERS)
def test_an_odd_page_number_in_the_upload_address_is_not_found(villager, number):
    sent = villager.post(f"/nop-ho-so/anh-giay-to/{number}/tai-len", data={"file": (io.BytesIO(b"x"), "a.jpg")},
                         content_type="multipart/form-data", headers={"X-Requested-With": "XMLHttpRequest"})
    assert sent.status_code == 404
    assert villager.post(f"/nop-ho-so/anh-giay-to/{number}/tai-len-tiep",
                         headers={**TUS, "Upload-Length": "10"}).status_code == 404


@pytest.mark.parametrize("number", ["%C2%B2", "%D9%A3", "%EF%BC%93"])
def test_an_odd_item_number_in_the_supplement_address_is_not_found(client, number):
    dossier, _request = waiting_for_supplement(client)
    assert client.post(f"/ho-so/{dossier.code}/bo-sung/{number}/tai-len-tiep",
                       headers={**TUS, "Upload-Length": "10"}).status_code == 404


@pytest.mark.parametrize("value", ["²", "1²", "¹²³", "-1", "+5", " 5", "5 ", "0x10", "1e3", "", "9" * 16])
def test_an_odd_upload_length_or_offset_is_a_bad_request(villager, value):
    answer = villager.post("/nop-ho-so/anh-giay-to/0/tai-len-tiep", headers={**TUS, "Upload-Length": value})
    assert answer.status_code == 400 and "Thiếu kích thước tệp" in answer.get_data(as_text=True)
    url = create(villager, 10).headers["Location"]
    assert villager.patch(url, data=b"0123456789", headers={
        **TUS, "Upload-Offset": value, "Content-Type": "application/offset+octet-stream"}).status_code == 400
    assert villager.head(url, headers=TUS).headers["Upload-Offset"] == "0"


@pytest.mark.parametrize("upload_id", ["a" * 300, "a" * 19, "a" * 41, "..%2F..%2Fcommune.db", "abc%0Adef" * 4,
                                       "%C2%B2" * 24, "a" * 23 + "%2E"])
def test_a_malformed_upload_id_is_not_found_and_touches_no_file(app, villager, upload_id):
    before = everything_in(app)
    url = f"/nop-ho-so/tai-len-tiep/{upload_id}"
    assert villager.head(url, headers=TUS).status_code == 404
    assert patch(villager, url, b"x", 0).status_code == 404
    assert villager.delete(url, headers=TUS).status_code == 404
    assert villager.get(url).status_code == 404
    assert everything_in(app) == before


def test_two_hundred_made_up_ids_leave_nothing_on_disk(app, villager):
    real = create(villager, 10).headers["Location"]  # the partial folder exists, with one real upload
    before = everything_in(app)
    for _ in range(200):
        url = f"/nop-ho-so/tai-len-tiep/{secrets.token_urlsafe(18)}"
        assert patch(villager, url, b"x", 0).status_code == 404
        assert villager.head(url, headers=TUS).status_code == 404
    for _ in range(20):
        url = f"/nop-ho-so/tai-len-tiep/{secrets.token_urlsafe(18)}"
        assert villager.delete(url, headers=TUS).status_code == 404
        assert villager.get(url).status_code == 404
    assert everything_in(app) == before
    assert patch(villager, real, b"0123456789", 0).status_code == 204  # the real one still works
