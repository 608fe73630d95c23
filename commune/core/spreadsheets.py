"""Reading an uploaded Excel workbook (.xlsx): the first sheet's rows, bounded, any damage one error.

openpyxl is imported on the first use (the idle server does not carry it). The callers (the bank
statement import, the national procedure list) say what went wrong in their own words."""
import io
import zipfile


class TooManyRows(ValueError):
    """The sheet has more rows than the caller takes."""


class Unreadable(ValueError):
    """Not an .xlsx workbook, or a damaged one."""


def first_sheet_rows(data, max_rows):
    """The first sheet's rows as lists of cell values (formulas as their last value); stops with
    TooManyRows past `max_rows`, never reading the rest."""
    try:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        rows = []
        for values in book.worksheets[0].iter_rows(values_only=True):
            rows.append(list(values))
            if len(rows) > max_rows:
                book.close()
                raise TooManyRows(max_rows)
        book.close()
        return rows
    except TooManyRows:
        raise
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, IndexError) as error:
        raise Unreadable(str(error)) from error
