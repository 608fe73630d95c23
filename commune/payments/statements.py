"""Read a bank statement (CSV or XLSX) into its incoming rows, whole or not at all.

Banks export statements with a few title lines, then a header row, then one row per transaction.
The header row is found by its column names (Vietnamese or English, as the main banks write them):
the date, the credited amount (or a signed amount), the content, and the bank's reference if any.
A file that cannot be read, has no such header, or has one row that cannot be understood is
refused whole, naming the row; nothing of it is kept.
"""
import csv
import io
import re
import unicodedata
from dataclasses import asdict, dataclass
from datetime import date, datetime

from flask_babel import gettext as _

from ..core.spreadsheets import TooManyRows, Unreadable, bounded_rows, explain, first_sheet_rows

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
HEADER_SEARCH_ROWS = 30

# Column names, folded (no accents, lower case, single spaces).
DATE_NAMES = ("ngay giao dich", "ngay gd", "ngay", "ngay hach toan", "ngay ghi so", "ngay hieu luc",
              "thoi gian giao dich", "thoi gian", "transaction date", "date", "posting date", "value date",
              "txn date", "ngay giao dich/transaction date")
CREDIT_NAMES = ("so tien ghi co", "ghi co", "so tien co", "phat sinh co", "so tien vao", "tien vao", "co",
                "credit", "credit amount", "so tien ghi co/credit", "ghi co/credit")
SIGNED_NAMES = ("so tien", "so tien giao dich", "amount", "transaction amount")
CONTENT_NAMES = ("noi dung", "noi dung giao dich", "noi dung chuyen khoan", "dien giai", "mo ta", "chi tiet",
                 "description", "transaction description", "details", "remarks", "noi dung/description",
                 "dien giai/description")
REFERENCE_NAMES = ("so tham chieu", "ma giao dich", "so giao dich", "ma gd", "so but toan", "so ct",
                   "so chung tu", "reference", "reference no", "ref", "ref no", "transaction id",
                   "transaction no", "so tham chieu/reference")
TOTAL_WORDS = ("tong", "cong", "total", "so du")

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"


class StatementError(ValueError):
    """The statement is refused whole; `row` is the file's row number at fault (None: the whole file)."""

    def __init__(self, message, row=None):
        super().__init__(message)
        self.message = message
        self.row = row

    def __str__(self):
        return _("Dòng %(row)s: %(message)s", row=self.row, message=self.message) if self.row else self.message


@dataclass(frozen=True)
class StatementRow:
    row: int  # the row number in the file (1 = the first line), as the clerk sees it in Excel
    date: str  # ISO date
    amount: int  # đồng credited
    content: str
    reference: str

    def as_dict(self):
        return asdict(self)


def fold(text):
    """'Số tiền ghi Có' -> 'so tien ghi co': how column names are compared."""
    text = unicodedata.normalize("NFD", str(text or "").replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return " ".join(re.sub(r"[^a-z0-9/]+", " ", text).split())


def read_statement(data, filename=""):
    """The incoming rows of a statement file (bytes); StatementError if any of it cannot be read."""
    if not data:
        raise StatementError(_("Tệp rỗng."))
    if len(data) > MAX_BYTES:
        raise StatementError(_("Tệp quá lớn (tối đa 5 MB)."))
    if data.startswith(XLS_MAGIC):
        raise StatementError(_("Tệp Excel cũ (.xls) không đọc được: mở bằng Excel và lưu lại dạng .xlsx hoặc CSV."))
    table = _xlsx_rows(data) if data.startswith(XLSX_MAGIC) else _csv_rows(data)
    return _parse(table)


def _xlsx_rows(data):
    try:
        return first_sheet_rows(data, MAX_ROWS + HEADER_SEARCH_ROWS)
    except TooManyRows as error:
        raise StatementError(_("Sao kê có quá nhiều dòng (tối đa %(n)s).", n=MAX_ROWS)) from error
    except Unreadable as error:
        raise StatementError(explain(error) or _("Không đọc được tệp Excel (.xlsx): tệp hỏng hoặc không phải "
                                                 "bảng tính.")) from error


def _csv_rows(data):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise StatementError(_("Không đọc được tệp: cần tệp CSV mã UTF-8 hoặc tệp Excel .xlsx.")) from error
    if "\x00" in text:
        raise StatementError(_("Không đọc được tệp: cần tệp CSV mã UTF-8 hoặc tệp Excel .xlsx."))
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:  # row by row, within the same bounds as a workbook's cells
        return bounded_rows(csv.reader(io.StringIO(text), dialect), MAX_ROWS + HEADER_SEARCH_ROWS)
    except TooManyRows as error:
        raise StatementError(_("Sao kê có quá nhiều dòng (tối đa %(n)s).", n=MAX_ROWS)) from error
    except Unreadable as error:
        raise StatementError(explain(error)) from error
    except csv.Error as error:
        raise StatementError(_("Không đọc được tệp CSV: %(why)s", why=str(error))) from error


def _find(header, names):
    for position, cell in enumerate(header):
        if cell in names:
            return position
    return None


def _columns(header):
    """{'date', 'credit' or 'signed', 'content', 'reference'} -> position, if this row is a header."""
    folded = [fold(cell) for cell in header]
    found = {"date": _find(folded, DATE_NAMES), "content": _find(folded, CONTENT_NAMES),
             "credit": _find(folded, CREDIT_NAMES), "signed": _find(folded, SIGNED_NAMES),
             "reference": _find(folded, REFERENCE_NAMES)}
    if found["date"] is None or found["content"] is None or (found["credit"] is None and found["signed"] is None):
        return None
    return found


def _header(table):
    """(position, columns) of the header row among the first rows, or (None, None)."""
    for position, values in enumerate(table[:HEADER_SEARCH_ROWS]):
        columns = _columns(values)
        if columns:
            return position, columns
    return None, None


def _parse(table):
    index, columns = _header(table)
    if columns is None:
        raise StatementError(_("Không nhận ra định dạng sao kê: cần một dòng tiêu đề có các cột Ngày giao dịch, "
                               "Số tiền ghi có (hoặc Số tiền) và Nội dung."))
    rows = []
    for offset, values in enumerate(table[index + 1:], start=index + 2):
        row = _row(values, columns, offset)
        if row is not None:
            rows.append(row)
    if not rows:
        raise StatementError(_("Sao kê không có khoản tiền vào nào."))
    return rows


def _cell(values, position):
    if position is None or position >= len(values):
        return None
    value = values[position]
    return value.strip() if isinstance(value, str) else value


def _row(values, columns, number):
    """One incoming transaction, None for a row that is not one (blank, a debit, a total)."""
    if all(v in (None, "") for v in values):
        return None
    raw_date = _cell(values, columns["date"])
    credit_position = columns["credit"] if columns["credit"] is not None else columns["signed"]
    raw_amount = _cell(values, credit_position)
    if raw_date in (None, "") and any(fold(v).startswith(TOTAL_WORDS) for v in values if isinstance(v, str)):
        return None  # the totals or balance line under the transactions
    if raw_amount in (None, "", "-", 0):
        return None  # a debit (its amount is in the debit column)
    amount = parse_amount(raw_amount, number)
    if amount <= 0:
        return None  # a debit in a signed column
    day = parse_date(raw_date, number)
    content = str(_cell(values, columns["content"]) or "")
    reference = str(_cell(values, columns["reference"]) or "")
    return StatementRow(row=number, date=day.isoformat(), amount=amount, content=content[:500],
                        reference=reference[:100])


def parse_amount(value, row=None):
    """A whole number of đồng from a cell: 6000, 6000.0, '6.000', '6,000', '6.000,00', '+6,000 VND'."""
    if isinstance(value, bool):
        raise StatementError(_("số tiền “%(v)s” không đọc được.", v=value), row)
    if isinstance(value, (int, float)):
        if value != int(value):
            raise StatementError(_("số tiền “%(v)s” có phần lẻ dưới một đồng.", v=value), row)
        return int(value)
    text = re.sub(r"(?i)vn[dđ]|đ|\s", "", str(value))
    sign = -1 if text.startswith("-") else 1
    text = text.lstrip("+-")
    if not re.fullmatch(r"[\d.,]+", text or "x"):
        raise StatementError(_("số tiền “%(v)s” không đọc được.", v=value), row)
    last_sep = max(text.rfind("."), text.rfind(","))
    if last_sep >= 0 and len(text) - last_sep - 1 in (1, 2):  # a decimal part: it must be zero
        text, cents = text[:last_sep], text[last_sep + 1:]
        if int(cents):
            raise StatementError(_("số tiền “%(v)s” có phần lẻ dưới một đồng.", v=value), row)
    groups = re.split(r"[.,]", text)
    if not groups[0] or any(len(g) != 3 for g in groups[1:]):
        raise StatementError(_("số tiền “%(v)s” không đọc được.", v=value), row)
    return sign * int("".join(groups))


DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d/%m/%y", "%d.%m.%Y", "%Y/%m/%d")


def parse_date(value, row=None):
    """A date from a cell: a spreadsheet date, or '01/12/2026', '01-12-2026', '2026-12-01' (time ignored)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    head = re.split(r"[ T]", text, maxsplit=1)[0]
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(head, pattern).date()
        except ValueError:
            continue
    raise StatementError(_("ngày “%(v)s” không đọc được (cần dạng ngày/tháng/năm).", v=text), row)
