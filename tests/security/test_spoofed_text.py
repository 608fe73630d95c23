"""Text that lies about itself is cleaned on the way in and shown isolated.

A right-to-left override (U+202E) turns "Nguyễn Văn An" into a name the clerk reads
backwards; zero-width characters make two names that look alike differ, or hide a
word. Every text field of every form is cleaned (NFC, no bidi controls, nothing
invisible); text typed in NFD (decomposed accents, as some keyboards send it) is
stored in NFC, so the clerk's search and the register treat it as the same name.
"""
import re
import unicodedata

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict
from wtforms import PasswordField, StringField, TextAreaField

from commune.core.forms import CommuneForm, CommuneSubForm, text_filter
from commune.core.text_safety import clean_line, clean_text
from commune.dossiers.models import Dossier, DossierEvent
from commune.extensions import db
from tests.factories import make_procedure
from tests.journeys import DETAILS, act, upload
from tests.photos import images

RLO, PDF_, LRI, RLI, PDI = "\u202e", "\u202c", "\u2066", "\u2067", "\u2069"
ZWSP, ZWNJ, ZWJ, WJ, BOM, LRM, RLM, ALM = "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u200e", "\u200f", "\u061c"
SPOOFING = set(RLO + PDF_ + LRI + RLI + PDI + ZWSP + ZWNJ + ZWJ + WJ + BOM + LRM + RLM + ALM
               + "\u202a\u202b\u202d\u2068\u00ad\u3164")

SPOOFED_NAME = f"{RLO}Nguy{ZWSP}ễn{ZWJ} Văn{LRI} An{PDI}{BOM}"
SPOOFED_VILLAGE = f"Bản{RLM} Nà{ZWNJ} Cang{ALM}"
SPOOFED_ADDRESS = f"Xã{WJ} Mẫu,\u00a0tỉnh Lào Cai{RLO}{PDF_}\u3164"
NOTE_QUESTION = [{"name": "note", "label": "Ghi chú", "type": "textarea", "required": False}]


def nfd(text):
    return unicodedata.normalize("NFD", text)


def villager_submits(app, procedure, details, answers=None):
    """A villager's own browser walks the real journey and submits; returns the dossier."""
    browser = app.test_client()
    response = browser.post(f"/thu-tuc/{procedure.slug}/nop-ho-so", data=dict(DETAILS, **details))
    assert response.status_code == 302, response.get_data(as_text=True)
    if answers is not None:
        assert browser.post("/nop-ho-so/cau-hoi", data=answers).status_code == 302
    assert upload(browser, 0, images.jpeg()).status_code == 201
    assert browser.post("/nop-ho-so/anh-giay-to").status_code == 302
    page = browser.get("/nop-ho-so/kiem-tra").get_data(as_text=True)
    key = re.search(r'name="submit_key" type="hidden" value="([^"]+)"', page).group(1)
    assert browser.post("/nop-ho-so/nop", data={"submit_key": key, "declaration": "y"}).status_code == 302
    return db.session.scalars(sa.select(Dossier).order_by(Dossier.id.desc())).first()


@pytest.fixture
def procedure(app):
    procedure = make_procedure(name="Chứng thực (thử)", documents=("Bản chính",), postal=False,
                               form_fields=NOTE_QUESTION)
    db.session.commit()
    return procedure


def assert_nothing_hidden(html):
    hidden = {f"U+{ord(ch):04X}" for ch in html if ch in SPOOFING}
    assert hidden == set(), f"invisible or bidi characters on the page: {sorted(hidden)}"


def test_a_spoofed_name_is_stored_clean_and_shown_clean_to_the_clerk(app, client, login_as, procedure):
    note = f"Tôi cần{ZWSP} gấp.\r\n{RLO}Gọi trước{PDF_} khi đến."
    dossier = villager_submits(app, procedure, {
        "full_name": SPOOFED_NAME, "village": SPOOFED_VILLAGE, "address": SPOOFED_ADDRESS},
        answers={"note": note})
    assert dossier.applicant_name == "Nguyễn Văn An"
    assert dossier.applicant_village == "Bản Nà Cang"
    assert dossier.applicant_address == "Xã Mẫu, tỉnh Lào Cai"
    assert dossier.form_data["note"] == "Tôi cần gấp.\r\nGọi trước khi đến."  # the line break is kept

    login_as("clerk")
    inbox = client.get("/hop-thu").get_data(as_text=True)
    assert "<bdi>Nguyễn Văn An</bdi>" in inbox
    assert_nothing_hidden(inbox)
    page = client.get(f"/hop-thu/ho-so/{dossier.id}").get_data(as_text=True)
    assert "<bdi>Nguyễn Văn An</bdi>" in page and "<bdi>Bản Nà Cang</bdi>" in page
    assert "<bdi>Xã Mẫu, tỉnh Lào Cai</bdi>" in page
    assert '<dd dir="auto">Tôi cần gấp.' in page  # free text is isolated from what surrounds it
    assert_nothing_hidden(page)
    sheet = client.get(f"/hop-thu/ho-so/{dossier.id}/in/phieu-kiem-soat")
    assert sheet.status_code == 200 and "<bdi>Nguyễn Văn An</bdi>" in sheet.get_data(as_text=True)
    assert_nothing_hidden(sheet.get_data(as_text=True))


def test_text_typed_with_decomposed_accents_is_stored_composed_and_found(app, client, login_as, procedure):
    name = "Nguyễn Thị Hương"
    dossier = villager_submits(app, procedure, {"full_name": nfd(name), "address": nfd("Xã Mẫu, tỉnh Lào Cai")})
    assert nfd(name) != name
    assert dossier.applicant_name == name and unicodedata.is_normalized("NFC", dossier.applicant_name)
    assert dossier.applicant_address == "Xã Mẫu, tỉnh Lào Cai"
    villager_submits(app, procedure, {"full_name": "Lò Văn Páo"})

    login_as("clerk")
    for query in ("Hương", nfd("Hương"), "huong", nfd("Nguyễn Thị")):
        html = client.get("/hop-thu", query_string={"q": query, "tab": "all"}).get_data(as_text=True)
        assert f"<bdi>{name}</bdi>" in html, query
        assert "Lò Văn Páo" not in html, query


def test_what_staff_type_is_cleaned_too(app, client, login_as, procedure):
    """Not only villagers: a clerk's note is cleaned by the same base form."""
    dossier = villager_submits(app, procedure, {"full_name": "Lò Thị Hoa"})
    login_as("clerk")
    response = act(client, dossier, "note", {"text": f"Đã gọi{ZWSP} điện{RLO}, hẹn mai.\nKiểm tra lại."})
    assert response.status_code == 302
    event = db.session.scalars(sa.select(DossierEvent).where(DossierEvent.kind == "note")).one()
    assert event.note == "Đã gọi điện, hẹn mai.\nKiểm tra lại."


def _all_form_classes():
    seen, todo = [], [CommuneForm, CommuneSubForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in seen:
                seen.append(sub)
                todo.append(sub)
    return seen


def test_every_text_field_of_every_form_is_cleaned(app):
    """Each form class the site defines: its text fields carry the cleaning filter first, passwords none."""
    import commune.admin.forms  # noqa: F401 - make sure every blueprint's forms are imported
    import commune.postal.forms  # noqa: F401
    import commune.reports.forms  # noqa: F401

    checked = 0
    with app.test_request_context(method="POST"):
        for form_class in _all_form_classes():
            try:
                form = form_class(formdata=MultiDict())
            except TypeError:
                continue  # needs arguments of its own (made per dossier at request time)
            for field in form:
                if isinstance(field, PasswordField):
                    assert text_filter(field) is None and clean_line not in field.filters
                elif isinstance(field, TextAreaField):
                    assert field.filters[0] is clean_text, (form_class, field.name)
                    checked += 1
                elif isinstance(field, StringField):
                    assert field.filters[0] is clean_line, (form_class, field.name)
                    checked += 1
    assert checked > 40


@pytest.mark.parametrize("typed, stored", [
    (SPOOFED_NAME, "Nguyễn Văn An"),
    (nfd("Đặng Thị Ánh Nguyệt"), "Đặng Thị Ánh Nguyệt"),
    ("Hà\u00a0Giang\u2028Tuyên\u2029Quang\tLạng\nSơn", "Hà Giang Tuyên Quang Lạng Sơn"),
    ("A\x00B\x1bC\x7fD", "ABCD"),
    ("\U000e0041tag\U000e007f", "tag"),
])
def test_one_line_cleaning(typed, stored):
    assert clean_line(typed) == stored


def test_free_text_keeps_its_line_breaks_and_marks():
    assert clean_text(f"Dòng 1{RLO}\r\nDòng\u20282\tcột") == "Dòng 1\r\nDòng\n2\tcột"
    assert clean_text(nfd("Tiếng Việt có dấu")) == "Tiếng Việt có dấu"
