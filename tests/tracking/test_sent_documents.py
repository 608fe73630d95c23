"""'Giấy tờ đã gửi' on the tracking page lists what the villager sent, round by round."""
import re

from commune.dossiers.attachments import attach_file
from commune.dossiers.models import SupplementRequest
from commune.dossiers.workflow import transition
from commune.extensions import db
from tests.factories import make_procedure, make_user, new_dossier, photo
from tests.journeys import open_in_browser


def _sent_section(client, dossier):
    db.session.commit()
    open_in_browser(client, dossier)
    html = client.get(f"/ho-so/{dossier.code}").get_data(as_text=True)
    return re.search(r"Giấy tờ đã gửi</dt>\s*<dd>(.*?)</dd>", html, re.S).group(1)


def test_only_what_was_sent_is_listed_and_the_online_declaration_says_so(client):
    procedure = make_procedure(documents=("Tờ khai", "Giấy chứng sinh", "Văn bản ủy quyền"))
    dossier = new_dossier(procedure=procedure)
    snapshot = dict(dossier.procedure_snapshot)
    snapshot["documents"] = [dict(d) for d in snapshot["documents"]]
    snapshot["documents"][0].update(online_form=True, required=False)  # answered on the form online
    snapshot["documents"][2]["required"] = False  # an optional paper the villager did not have
    dossier.procedure_snapshot = snapshot
    attach_file(dossier, photo((1, 2, 3)), "chung-sinh-1.jpg", document_index=1)
    attach_file(dossier, photo((4, 5, 6)), "chung-sinh-2.jpg", document_index=1)
    section = _sent_section(client, dossier)
    assert "Tờ khai: đã khai trực tuyến" in section
    assert "Giấy chứng sinh: 2 trang" in section
    assert "Văn bản ủy quyền" not in section  # nothing sent: no ": 0"
    assert ": 0" not in section


def test_a_supplement_answer_is_its_own_round(client):
    procedure = make_procedure(documents=("Tờ khai", "Giấy chứng sinh"))
    dossier = new_dossier(procedure=procedure)
    attach_file(dossier, photo((1, 1, 1)), "to-khai.jpg", document_index=0)
    attach_file(dossier, photo((2, 2, 2)), "chung-sinh-mo.jpg", document_index=1)
    clerk = make_user("clerk")
    transition(dossier, "received", clerk)
    transition(dossier, "needs_supplement", clerk, note="Ảnh mờ")
    db.session.add(SupplementRequest(dossier=dossier, round=1, items=[{"document_index": 1, "label": "Ảnh mờ"}]))
    attach_file(dossier, photo((3, 3, 3)), "chung-sinh-ro.jpg", document_index=1, round=1)
    section = _sent_section(client, dossier)
    first, supplement = section.split("Bổ sung lần 1")
    assert "Khi nộp hồ sơ" in first and "Tờ khai: 1 trang" in first and "Giấy chứng sinh: 1 trang" in first
    assert "Giấy chứng sinh: 1 trang" in supplement and "Tờ khai" not in supplement
