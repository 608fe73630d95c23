"""Reading an uploaded Excel workbook (.xlsx) or table (CSV rows): the first sheet's rows, bounded,
any damage one error.

The workbook first passes core.workbook_guard (its zip and XML parts, streamed and counted, before
openpyxl parses anything); then openpyxl reads the first sheet in read-only, streaming mode, rows only
as wide as the rightmost value. What is kept is bounded again (`bounded_rows`): rows, cells, a cell's
length. openpyxl is imported on the first use (the idle server does not carry it); with `defusedxml`
installed openpyxl parses through it. The callers (the bank statement import, the national procedure
list) say what went wrong in their own words; `explain()` words the bounds for them."""
import io
import zipfile
import zlib
from xml.etree.ElementTree import ParseError

from flask_babel import gettext as _

from .workbook_guard import (
    MAX_CELL_CHARS,
    MAX_CELLS,
    MAX_ROW_CELLS,
    MAX_TEXT_CHARS,
    ForbiddenXml,
    OverLimit,
    Unreadable,
    inspect_workbook,
)

__all__ = ["ForbiddenXml", "OverLimit", "TooManyRows", "Unreadable", "bounded_rows", "explain",
           "first_sheet_rows"]


class TooManyRows(ValueError):
    """The sheet has more rows than the caller takes."""


# What openpyxl (or the zip, or the XML parser under it) raises on a damaged file.
_DAMAGE = (zipfile.BadZipFile, KeyError, OSError, EOFError, ValueError, TypeError, IndexError, AttributeError,
           ParseError, zlib.error, NotImplementedError)


def first_sheet_rows(data, max_rows):
    """The first sheet's rows as lists of cell values (formulas as their last value); stops with
    TooManyRows past `max_rows`, never reading the rest; Unreadable (OverLimit, ForbiddenXml) when the
    file is damaged or passes a bound."""
    shape = inspect_workbook(data)
    try:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
        try:
            sheet = book.worksheets[0]
            sheet.reset_dimensions()  # the sheet's own claim of its size is not trusted
            return bounded_rows(sheet.iter_rows(max_col=max(shape.columns, 1), values_only=True), max_rows)
        finally:
            book.close()
    except (TooManyRows, Unreadable):
        raise
    except _DAMAGE as error:
        raise Unreadable(str(error)) from error


def bounded_rows(rows, max_rows):
    """The rows (tuples or lists of values) as lists, read one at a time: TooManyRows past `max_rows`,
    OverLimit past the bounds on a row's cells, a cell's length, all cells and all their text."""
    kept, cells, chars = [], 0, 0
    for values in rows:
        if len(values) > MAX_ROW_CELLS:  # before any copy: a CSV line of 5 MB of commas is 5 million cells
            raise OverLimit("row_cells", MAX_ROW_CELLS)
        row = values if isinstance(values, list) else list(values)
        for value in row:
            if value is None or value == "":
                continue
            cells += 1
            if isinstance(value, str):
                if len(value) > MAX_CELL_CHARS:
                    raise OverLimit("cell_chars", MAX_CELL_CHARS)
                chars += len(value)
        if cells > MAX_CELLS:
            raise OverLimit("cells", MAX_CELLS)
        if chars > MAX_TEXT_CHARS:
            raise OverLimit("text", MAX_TEXT_CHARS)
        kept.append(row)
        if len(kept) > max_rows:
            raise TooManyRows(max_rows)
    return kept


def _number(n):
    return f"{n:,}".replace(",", ".")  # 250.000, as Vietnamese writes it


def explain(error):
    """The Vietnamese message for a workbook refused by a bound or for its XML; None for plain damage."""
    if isinstance(error, ForbiddenXml):
        return _("Tệp Excel chứa khai báo XML không được phép (DOCTYPE hoặc thực thể), thường gặp ở tệp độc "
                 "hại. Không nhập gì.")
    if not isinstance(error, OverLimit):
        return None
    n = _number(error.limit)
    what = {
        "members": lambda: _("có quá %(n)s tệp thành phần bên trong", n=n),
        "unpacked": lambda: _("dữ liệu sau khi giải nén quá %(n)s MB", n=n),
        "ratio": lambda: _("có phần bị nén với tỉ lệ bất thường (hơn %(n)s lần)", n=n),
        "run": lambda: _("có một đoạn dữ liệu XML dài quá %(n)s KB", n=n),
        "elements": lambda: _("cấu trúc XML có quá %(n)s phần tử", n=n),
        "cells": lambda: _("có quá %(n)s ô có dữ liệu", n=n),
        "row_cells": lambda: _("có một dòng quá %(n)s ô", n=n),
        "columns": lambda: _("có dữ liệu ở cột xa hơn cột thứ %(n)s", n=n),
        "cell_chars": lambda: _("có một ô dài quá %(n)s ký tự", n=n),
        "text": lambda: _("tổng nội dung các ô quá %(n)s ký tự", n=n),
        "shared_strings": lambda: _("bảng chuỗi dùng chung có quá %(n)s chuỗi", n=n),
    }[error.kind]()
    return _("Tệp vượt giới hạn an toàn: %(what)s. Không nhập gì; hãy chép riêng phần dữ liệu cần nhập sang "
             "một tệp mới rồi tải lên lại.", what=what)
