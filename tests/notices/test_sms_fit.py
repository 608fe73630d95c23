"""Every SMS a basic phone can act on: one 160-character GSM-7 part, never half a word, always the code
and the short link, and the one thing to do first. Rendered for every notice kind with the longest
values the commune will really meet (the catalog's longest names, a clerk's 2,000-character note)."""
import json
from pathlib import Path

import pytest

from commune.core.settings import set_setting
from commune.core.timeutil import utcnow
from commune.dossiers.attachments import attach_file
from commune.dossiers.events import EventKind
from commune.dossiers.models import SupplementRequest
from commune.dossiers.states import Status
from commune.dossiers.workflow import record_event
from commune.extensions import db
from commune.notices.gsm import to_gsm7
from commune.notices.outbox import Notice
from commune.notices.texts import describe, sms_text, sms_words
from tests.factories import jpeg_bytes, make_procedure, make_user, new_dossier

CATALOG = json.loads((Path(__file__).parents[2] / "commune/catalog/data/commune_procedures.json").read_text())
PROCEDURES = CATALOG["procedures"]
LONGEST_PROCEDURE = max((p["name"] for p in PROCEDURES), key=len)
LONGEST_DOCUMENTS = sorted({d["name"] for p in PROCEDURES for d in p.get("documents") or []}, key=len)[-4:]
# A public address as long as a provincial portal's sub-domain, and a long commune name.
LONG_PUBLIC_URL = "https://motcua.phuong-nguyen-trung-truc.quan-ba-dinh.hanoi.gov.vn"
LONG_COMMUNE = "UBND phường Nguyễn Trung Trực, quận Ba Đình"
WORDS = ("Đề nghị ông/bà bổ sung bản sao giấy khai sinh có chứng thực, ảnh chụp rõ nét cả hai mặt căn cước "
         "công dân, xác nhận của trưởng thôn về nơi cư trú hiện tại và giấy ủy quyền có chữ ký [bản gốc]; ")
LONG_NOTE = (WORDS * 20)[:2000]
UNBROKEN = "https://example.vn/" + "x" * 300  # a pasted link: one word longer than any SMS

# GSM 03.38, written out here apart from the code: the basic table, then the extension table.
GSM_BASIC = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM_EXTENSION = set("^{}\\[]~|€")


def septets(text):
    assert all(ch in GSM_BASIC or ch in GSM_EXTENSION for ch in text), \
        f"not GSM-7: {sorted({ch for ch in text if ch not in GSM_BASIC | GSM_EXTENSION})}"
    return sum(2 if ch in GSM_EXTENSION else 1 for ch in text)


@pytest.fixture
def long_world(app):
    app.config["COMMUNE_PUBLIC_URL"] = LONG_PUBLIC_URL
    set_setting("commune_name", LONG_COMMUNE)
    procedure = make_procedure(name=LONGEST_PROCEDURE, documents=tuple(LONGEST_DOCUMENTS))
    return procedure


def _dossier(procedure, **values):
    dossier = new_dossier(procedure=procedure, status="processing", due_date=utcnow().date(), **values)
    db.session.add(SupplementRequest(dossier=dossier, round=1, message=LONG_NOTE,
                                     items=[{"document_index": i, "label": name}
                                            for i, name in enumerate(LONGEST_DOCUMENTS)]))
    db.session.flush()
    return dossier


def _every_notice_event(dossier, note):
    """One event of every kind the villager may hear of: every status move, every other kind."""
    clerk = make_user("clerk")
    events = []
    for to in Status:
        for before in ("processing", "delivering"):
            event = record_event(dossier, EventKind.STATUS, clerk, note=note, public=True)
            event.from_status, event.to_status = before, to.value
            events.append(event)
    for kind in EventKind:
        if kind != EventKind.STATUS:
            events.append(record_event(dossier, kind, clerk, note=note, public=True,
                                       data={"new_due": "2027-12-31", "round": 1}))
    return [e for e in events if describe(dossier, e) is not None]


def _check_sms(dossier, event):
    text = sms_text(dossier, event)
    assert septets(text) <= 160, text
    code_and_link = f" HS {dossier.display_code}: {LONG_PUBLIC_URL.removeprefix('https://')}/t/{dossier.code}"
    assert code_and_link in text, text
    body = text.split(code_and_link)[0]
    lead, detail = sms_words(dossier, event)
    whole = to_gsm7(f"{lead} {detail}").split()
    sent = body.removesuffix("...").split()
    # Never half a word: what was sent is the message's first whole words (the last one may lose or
    # gain its full stop).
    assert sent and len(sent) <= len(whole), (text, whole)
    assert sent[:-1] == whole[:len(sent) - 1], (text, whole)
    assert sent[-1].rstrip(",.;:") == whole[len(sent) - 1].rstrip(",.;:"), (text, whole)
    # The one thing to do (or know) comes first, whole.
    assert body.startswith(to_gsm7(lead).rstrip(".:")), (text, lead)
    return text


@pytest.mark.parametrize("note", [LONG_NOTE, UNBROKEN, ""])
def test_every_notice_kind_fits_one_gsm7_sms_with_its_code_and_link(app, long_world, note):
    dossier = _dossier(long_world, applicant_name="Nguyễn Thị Phương Thảo Hoàng Lan Chi")
    events = _every_notice_event(dossier, note)
    kinds = {(e.kind, e.to_status) for e in events}
    # The moves and kinds the villager is told of are all here (so a new one is checked too).
    assert {("status", s) for s in ("submitted", "received", "needs_supplement", "refused", "ready")} <= kinds
    assert {"apology", "message", "delivery_handed", "delivery_out", "delivery_delivered", "delivery_failed",
            "delivery_returned"} <= {k for k, _s in kinds}
    for event in events:
        _check_sms(dossier, event)


def test_the_supplement_sms_leads_with_what_to_send(app, long_world):
    dossier = _dossier(long_world)
    event = record_event(dossier, EventKind.STATUS, make_user("clerk"), note=LONG_NOTE, public=True)
    event.from_status, event.to_status = "processing", "needs_supplement"
    text = _check_sms(dossier, event)
    assert text.startswith("Bo sung: " + to_gsm7(LONGEST_DOCUMENTS[0])[:30])
    assert "..." in text  # four long document names do not fit: the link opens the full list


def test_ready_sms_says_the_electronic_copy_is_there(app, long_world):
    dossier = _dossier(long_world)
    attach_file(dossier, jpeg_bytes(), "ket-qua.jpg", round=-1, purpose="result")
    event = record_event(dossier, EventKind.STATUS, make_user("clerk"), public=True)
    event.from_status, event.to_status = "processing", "ready"
    text = _check_sms(dossier, event)
    assert text.startswith("Da co ket qua: tai ban dien tu tai trang tra cuu.")


def test_diacritics_can_be_kept_when_the_commune_pays_for_unicode(app, long_world):
    app.config["COMMUNE_SMS_UNICODE"] = True
    dossier = _dossier(long_world)
    event = record_event(dossier, EventKind.MESSAGE, make_user("clerk"), note=LONG_NOTE, public=True)
    text = sms_text(dossier, event)
    assert text.startswith("Tin nhắn của bộ phận Một cửa: Đề nghị") and len(text) <= 160


def _sms_notices(dossier):
    return [n for n in db.session.scalars(db.select(Notice).filter_by(dossier_id=dossier.id)) if n.channel == "sms"]


def test_no_phone_no_sms_but_the_email_still_goes(app):
    dossier = new_dossier(status="received", applicant_phone="", applicant_email="an@example.vn")
    record_event(dossier, EventKind.MESSAGE, make_user("clerk"), note="Mời mang bản chính", public=True)
    db.session.commit()
    channels = [n.channel for n in db.session.scalars(db.select(Notice).filter_by(dossier_id=dossier.id))]
    assert channels == ["email"]


def test_a_dossier_submitted_for_someone_notifies_the_helper(app):
    dossier = new_dossier(status="received", applicant_phone="", helper_name="Lò Văn Páo",
                          helper_phone="0987123456", helper_role="village_officer")
    record_event(dossier, EventKind.MESSAGE, make_user("clerk"), note="Mời mang bản chính", public=True)
    db.session.commit()
    assert [n.to for n in _sms_notices(dossier)] == ["0987123456"]
