"""Everything a carrier sees or carries may be known to a stranger: with it, nobody opens the dossier.

The carrier's knowledge here is real: the printed manifest, the item screen and the list of items of a
postal account that received the bag, and every SMS the villager got. With all of it — logged in as the
postal account, or logged out in a fresh browser — the look-up, the QR link, every file URL and every
villager action must give no document, no ID number, no key, no personal data and no change.
"""
import io
import re

import pytest
import sqlalchemy as sa
from PIL import Image

from commune.dossiers.attachments import attach_file
from commune.dossiers.models import DossierEvent, SupplementRequest
from commune.extensions import db
from commune.notices.texts import sms_text
from commune.postal.models import Manifest, ManifestItem
from tests.factories import make_dossier, make_user

ID_NUMBER = "001203004567"
ADDRESS = "Thôn Đông, xã Mẫu"
PHONE = "0987654321"  # the applicant's, and so the recipient's by default


def _jpeg(color):
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), color).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def delivered_knowledge(app, login_as):
    """A result handed to the post as the desk does it; returns (dossier, carrier browser, what it knows)."""
    app.config["COMMUNE_LOOKUP_CODE_LIMIT"] = "1000 per minute"  # this test tries many guesses on one code
    dossier = make_dossier(status="ready", result_method="post", applicant_name="Lò Thị Mai",
                           applicant_phone=PHONE, applicant_id_number=ID_NUMBER, applicant_address=ADDRESS,
                           delivery_name="Lò Thị Mai", delivery_phone=PHONE, delivery_address=ADDRESS,
                           delivery_village="Bản Na Hang", fee_vnd=20000, lookup_key="QX7R3M")
    files = [attach_file(dossier, _jpeg((200, 30, 30)), "cccd.jpg", document_index=0),
             attach_file(dossier, _jpeg((30, 200, 30)), "khai-sinh.jpg", document_index=1)]
    db.session.commit()

    desk = app.test_client()
    login_as("clerk", client_=desk)
    assert desk.post("/buu-chinh/bang-ke/moi", data={f"pick_{dossier.id}": "y",
                                                    f"fee_{dossier.id}": "20000"}).status_code == 302
    manifest = db.session.scalar(sa.select(Manifest))
    carrier = app.test_client()
    login_as("postal", client_=carrier)
    confirm = carrier.get(f"/buu-chinh/bang-ke/{manifest.number}").get_data(as_text=True)
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', confirm).group(1)
    item = db.session.scalar(sa.select(ManifestItem))
    assert carrier.post(f"/buu-chinh/bang-ke/{manifest.number}",
                        data={"token": token, f"got_{item.id}": "y"}).status_code == 302

    seen = [carrier.get(url).get_data(as_text=True) for url in (
        f"/buu-chinh/bang-ke/{manifest.number}/in", "/buu-chinh", f"/buu-chinh/buu-gui/{item.id}",
        f"/buu-chinh/buu-gui/{item.id}/da-phat", f"/buu-chinh/buu-gui/{item.id}/khong-phat-duoc")]
    sms = [sms_text(dossier, event) for event in dossier.events if event.public]
    return dossier, files, carrier, "\n".join(seen + sms)


def _words(knowledge):
    """Every token a stranger could type from what the carrier knows (codes, numbers, words)."""
    return {w for w in re.findall(r"[A-Za-z0-9][A-Za-z0-9-]{3,}", knowledge)}


def test_the_paper_and_the_screens_carry_no_tracking_code_and_nothing_carries_the_key(delivered_knowledge):
    dossier, _files, _carrier, knowledge = delivered_knowledge
    pages = knowledge.split("HS ")[0]  # the SMS texts carry the code by design: they go to the villager
    assert dossier.code not in pages and dossier.display_code not in pages
    assert "QX7R3M" not in knowledge
    assert ID_NUMBER not in knowledge
    assert PHONE[-6:] in knowledge.replace(" ", "")  # the carrier does know the phone


def _villager_actions(dossier, file_id):
    """Every villager action, as (method, url, data)."""
    code = dossier.code
    return [
        ("get", f"/ho-so/{code}/bien-nhan", None),
        ("get", f"/ho-so/{code}/rut", None),
        ("post", f"/ho-so/{code}/rut", {"reason": "x"}),
        ("post", f"/ho-so/{code}/danh-gia", {"score": "satisfied"}),
        ("get", f"/ho-so/{code}/nhan-ket-qua", None),
        ("post", f"/ho-so/{code}/nhan-ket-qua", {"method": "office"}),
        ("post", f"/ho-so/{code}/bo-sung", {"reply": "x"}),
        ("post", f"/ho-so/{code}/bo-sung/0/tai-len", {"file": (io.BytesIO(_jpeg((0, 0, 0))), "a.jpg")}),
        ("post", f"/ho-so/bo-sung/tep/{file_id}/xoa", {}),
        ("get", f"/tep/{file_id}", None),
        ("get", f"/tep/{file_id}/nho", None),
    ]


def _reaches_nothing(browser, dossier, files):
    """No file, no key, no ID number, no action, and the dossier unchanged."""
    before = (dossier.status, dossier.result_method, len(dossier.events), len(dossier.files))
    for file in files:
        for method, url, data in _villager_actions(dossier, file.id):
            response = getattr(browser, method)(url, data=data, content_type="multipart/form-data"
                                                if data and "file" in data else None)
            body = response.get_data()
            assert response.status_code in (302, 400, 403, 404), (method, url, response.status_code)
            if response.status_code == 302:
                assert "/tep/" not in response.location and "k=" not in response.location, url
            assert b"\xff\xd8" not in body[:4], url  # no JPEG
            assert b"QX7R3M" not in body and ID_NUMBER.encode() not in body, url
    assert (dossier.status, dossier.result_method, len(dossier.events), len(dossier.files)) == before


def test_the_postal_account_itself_reaches_nothing(delivered_knowledge):
    dossier, files, carrier, knowledge = delivered_knowledge
    refused = carrier.post("/tra-cuu", data={"code": dossier.code, "secret": PHONE})
    assert refused.status_code == 403  # staff never look up as the villager
    page = carrier.get(f"/ho-so/{dossier.code}").get_data(as_text=True)
    assert ADDRESS not in page and ID_NUMBER not in page
    _reaches_nothing(carrier, dossier, files)


def test_a_stranger_with_the_code_and_phone_gets_the_status_and_nothing_else(app, delivered_knowledge):
    dossier, files, _carrier, knowledge = delivered_knowledge
    stranger = app.test_client()
    assert stranger.post("/tra-cuu", data={"code": dossier.code, "secret": PHONE}).status_code == 302
    page = stranger.get(f"/ho-so/{dossier.code}").get_data(as_text=True)
    assert "Bưu tá" in page or "bưu điện" in page  # the status and what to do now
    for secret in (ID_NUMBER, ADDRESS, "Lò Thị Mai", "QX7R3M", "/tep/", "Rút hồ sơ này", "Đổi cách nhận"):
        assert secret not in page, secret
    assert "mã tra cứu" in page  # and it says plainly how the villager opens the rest
    _reaches_nothing(stranger, dossier, files)


def test_no_word_the_carrier_knows_works_as_the_key(app, delivered_knowledge):
    dossier, files, _carrier, knowledge = delivered_knowledge
    stranger = app.test_client()
    for word in sorted(_words(knowledge)):
        response = stranger.get(f"/ho-so/{dossier.code}?k={word}")
        assert response.status_code == 404, word
        typed = stranger.post("/tra-cuu", data={"code": dossier.code, "secret": word})
        assert typed.status_code in (302, 400, 404), word  # 302: a phone number opens the status only
    _reaches_nothing(stranger, dossier, files)


def test_a_supplement_request_cannot_be_answered_with_the_carriers_knowledge(app, login_as):
    """The same for a dossier waiting for papers: code + phone never answers in the villager's name."""
    dossier = make_dossier(status="needs_supplement", status_before_supplement="received", applicant_phone=PHONE)
    db.session.add(SupplementRequest(dossier=dossier, round=1, items=[{"document_index": 0, "label": "CCCD"}],
                                     requested_by_id=make_user("clerk").id))
    page = attach_file(dossier, _jpeg((1, 2, 3)), "a.jpg", document_index=0)
    db.session.commit()
    stranger = app.test_client()
    assert stranger.post("/tra-cuu", data={"code": dossier.code, "secret": PHONE}).status_code == 302
    html = stranger.get(f"/ho-so/{dossier.code}").get_data(as_text=True)
    assert "CCCD" in html and f"/ho-so/{dossier.code}/bo-sung" not in html
    _reaches_nothing(stranger, dossier, [page])
    assert not db.session.scalars(sa.select(DossierEvent).where(DossierEvent.actor_label == "Công dân")).all()
