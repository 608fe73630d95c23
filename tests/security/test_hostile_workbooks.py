"""Hostile workbooks through both imports that read one (the clerk's bank statement, the admin's national
procedure list): each is refused with its Vietnamese message, the form shown again, nothing stored, and
the memory one upload takes bounded (the test process's own peak, from /proc). The real server's peak
with four at once is in test_workbook_memory.py."""
import io
from functools import cache
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commune.core import workbook_guard as guard
from commune.core.spreadsheets import TooManyRows, Unreadable, first_sheet_rows
from commune.extensions import db
from commune.payments.models import StatementImport
from tests.security.hostile_workbooks import CASES, LIMIT, billion_laughs, small_statement, workbook
from tests.security.test_hostile_files import _reset_peak, _status_mb

MEMORY_PER_UPLOAD_MB = 100


@cache
def _made(case):
    return CASES[case][0]()


def _statement(client, login_as, data, name):
    login_as("clerk")
    return client.post("/thanh-toan/sao-ke", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def _national_list(client, login_as, data, name):
    login_as("admin")
    return client.post("/quan-tri/thu-tuc/nhap-danh-muc-quoc-gia", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


IMPORTS = {"bank statement (clerk)": _statement, "national list (admin)": _national_list}
FORM_TITLES = {"bank statement (clerk)": "Tệp sao kê", "national list (admin)": "Tệp danh sách thủ tục"}


def _nothing_stored(app):
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StatementImport)) == 0
    staged = Path(app.config["COMMUNE_DATA_DIR"]) / "national-import"
    assert not list(staged.glob("*.json")) if staged.exists() else True


@pytest.mark.parametrize("path", IMPORTS)
@pytest.mark.parametrize("case", CASES)
def test_a_hostile_workbook_is_refused_with_its_message(app, client, login_as, path, case):
    data = _made(case)
    measured = _reset_peak()
    before = _status_mb()["VmRSS"]
    response = IMPORTS[path](client, login_as, data, "sao-ke.xlsx")
    peak = _status_mb()["VmHWM"]
    text = response.get_data(as_text=True)
    assert response.status_code == 400, text[:500]
    assert CASES[case][1] in text
    assert FORM_TITLES[path] in text  # the form, shown again
    _nothing_stored(app)
    if measured:
        assert peak - before < MEMORY_PER_UPLOAD_MB, f"{case}: {peak - before} MB for one upload"


CSV_CASES = {
    "five MB of commas": (b"Ngay,So tien,Noi dung\n" + b"," * (5 * 1024 * 1024 - 100), "có một dòng quá 1.024 ô"),
    "two hundred thousand tiny cells": (("a,b,c,d,e,f,g,h,i,j\n" * 20_000).encode(), "Sao kê có quá nhiều dòng"),
    "rows of one thousand cells": ((",".join("1" * 1000) + "\n").encode() * 120, "có quá 100.000 ô có dữ liệu"),
    "one cell of 100,000 characters": (b"Ngay,So tien,Noi dung\n01/12/2026,6000," + b"x" * 100_000 + b"\n",
                                       "có một ô dài quá 32.767 ký tự"),
    "one cell past the reader's own limit": (b"Ngay,So tien,Noi dung\n01/12/2026,6000," + b"x" * 200_000 + b"\n",
                                             "Không đọc được tệp CSV"),
}


@pytest.mark.parametrize("case", CSV_CASES)
def test_a_hostile_csv_statement_is_refused_with_its_message(app, client, login_as, case):
    data, expected = CSV_CASES[case]
    _reset_peak()
    before = _status_mb()["VmRSS"]
    response = _statement(client, login_as, data, "sao-ke.csv")
    peak = _status_mb()["VmHWM"]
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and expected in text, text[:500]
    _nothing_stored(app)
    assert peak - before < MEMORY_PER_UPLOAD_MB


def test_openpyxl_parses_through_defusedxml():
    """Pinned in requirements.txt: with it installed openpyxl refuses entities on its own too."""
    assert openpyxl.DEFUSEDXML is True
    from defusedxml import DefusedXmlException

    with pytest.raises(ValueError) as refused:
        book = openpyxl.load_workbook(io.BytesIO(billion_laughs()), read_only=True)
        list(book.worksheets[0].iter_rows(values_only=True))
    assert isinstance(refused.value.__cause__ or refused.value, DefusedXmlException)


def test_a_workbook_at_the_bounds_is_read():
    """Just under each bound: read, rows as wide as the rightmost value (not as the sheet claims)."""
    wide = f'<c r="{"IV"}1" t="inlineStr"><is><t>{"ệ" * guard.MAX_CELL_CHARS}</t></is></c>'
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             'spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/><sheetData>'
             f'<row r="1"><c r="A1"><v>1</v></c>{wide}<c r="XFD1" s="0"/></row>'
             '<row r="2"><c r="B2"><v>2</v></c></row></sheetData></worksheet>')
    rows = first_sheet_rows(workbook(sheet), 10)
    assert [len(row) for row in rows] == [guard.MAX_COLUMNS, guard.MAX_COLUMNS]
    assert rows[0][0] == 1 and len(rows[0][-1]) == guard.MAX_CELL_CHARS and rows[1][1] == 2


def test_the_limit_message_names_no_internal_detail(app, client, login_as):
    """What the clerk reads says what to do, in Vietnamese; no English reason, no file path."""
    response = _statement(client, login_as, _made("a value in column XFD"), "sao-ke.xlsx")
    text = response.get_data(as_text=True)
    assert LIMIT in text and "tải lên lại" in text
    assert "columns over" not in text and "sheet1.xml" not in text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_damaged_workbook_is_read_or_refused_never_anything_else(data):
    """Bytes of a good workbook overwritten, cut or repeated: rows, or the reader's own refusal."""
    good = bytearray(small_statement())
    for _ in range(data.draw(st.integers(1, 8), label="changes")):
        at = data.draw(st.integers(0, len(good) - 1), label="at")
        how = data.draw(st.sampled_from(("byte", "cut", "repeat")), label="how")
        if how == "byte":
            good[at] = data.draw(st.integers(0, 255), label="value")
        elif how == "cut":
            del good[at:at + data.draw(st.integers(1, 64), label="length")]
        else:
            good[at:at] = good[at:at + 64] * data.draw(st.integers(1, 50), label="times")
        if not good:
            return
    try:
        first_sheet_rows(bytes(good), 10)
    except (Unreadable, TooManyRows):
        pass
