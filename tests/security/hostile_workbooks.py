"""Hostile workbooks made by the tests: small files that unpack huge, XML bombs, external entities, lying
zips, not-a-zip. Each case: (make() -> bytes, what the clerk or admin reads). Every one is built in a
second or so and packs to well under the 5 MB upload limit."""
import io
import random
import zipfile
import zlib

from commune.core import workbook_guard as guard

LIMIT = "Tệp vượt giới hạn an toàn"
XML_FORBIDDEN = "khai báo XML không được phép"
BROKEN = "Không đọc được tệp Excel (.xlsx)"

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
RELS_NS = 'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"'
DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def _parts(shared=False):
    """The smallest workbook Excel and openpyxl read: content types, rels, workbook, one sheet."""
    strings = ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
               'officedocument.spreadsheetml.sharedStrings+xml"/>') if shared else ""
    strings_rel = (f'<Relationship Id="rId2" Type="{DOC}/sharedStrings" Target="sharedStrings.xml"/>'
                   if shared else "")
    return {
        "[Content_Types].xml": HEAD + (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="'
            'application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' + strings + "</Types>"),
        "_rels/.rels": HEAD + (f'<Relationships {RELS_NS}><Relationship Id="rId1" Type="{DOC}/officeDocument" '
                               'Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": HEAD + (f'<workbook {NS} xmlns:r="{DOC}"><sheets><sheet name="Sao ke" sheetId="1" '
                                   'r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": HEAD + (
            f'<Relationships {RELS_NS}><Relationship Id="rId1" Type="{DOC}/worksheet" '
            f'Target="worksheets/sheet1.xml"/>{strings_rel}</Relationships>'),
    }


def _zip(parts, streamed=(), level=9):
    """A zip of `parts` {name: str or bytes}; `streamed` {name: iterable of bytes} written piece by piece."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, body in parts.items():
            archive.writestr(name, body.encode() if isinstance(body, str) else body)
        for name, pieces in dict(streamed).items():
            with archive.open(name, "w", force_zip64=True) as out:
                for piece in pieces:
                    out.write(piece)
    return buffer.getvalue()


def _sheet(rows_xml):
    return HEAD + f"<worksheet {NS}><sheetData>{rows_xml}</sheetData></worksheet>"


def workbook(sheet_xml, shared_xml=None):
    parts = _parts(shared=shared_xml is not None)
    parts["xl/worksheets/sheet1.xml"] = sheet_xml
    if shared_xml is not None:
        parts["xl/sharedStrings.xml"] = shared_xml
    return _zip(parts)


def _huge_cell_pieces(megabytes, in_tag=False):
    """A sheet of one cell holding `megabytes` MB: as text of one letter (it packs ~1000 times), or
    (`in_tag`) as an attribute of A and B at random (it packs ~8 times, like real text)."""
    letters = bytes(65 + (b & 1) for b in range(256))
    noise = random.Random(1)
    if in_tag:
        yield (HEAD + f'<worksheet {NS}><sheetData><row r="1"><c r="A1" t="inlineStr" x="').encode()
    else:
        yield (HEAD + f'<worksheet {NS}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>').encode()
    for _ in range(megabytes):
        yield noise.randbytes(1024 * 1024).translate(letters) if in_tag else b"A" * (1024 * 1024)
    yield b'"><is><t>1</t></is></c></row></sheetData></worksheet>' if in_tag else \
        b"</t></is></c></row></sheetData></worksheet>"


def huge_single_cell(megabytes=400, in_tag=False):
    """The issue's file: one inline cell of 400 MB, packed to a few hundred KB."""
    return _zip(_parts(), streamed={"xl/worksheets/sheet1.xml": _huge_cell_pieces(megabytes, in_tag)},
                level=1 if in_tag else 9)


def long_cell(chars=guard.MAX_CELL_CHARS + 1000):
    """One cell longer than Excel allows, the whole file far under every size bound."""
    return workbook(_sheet(f'<row r="1"><c r="A1" t="inlineStr"><is><t>{"Ă" * chars}</t></is></c></row>'))


def huge_shared_strings(count=guard.MAX_SHARED_STRINGS + 1000):
    strings = "".join(f"<si><t>{i}</t></si>" for i in range(count))
    shared = HEAD + f'<sst {NS} count="{count}" uniqueCount="{count}">{strings}</sst>'
    return workbook(_sheet('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'), shared)


def long_shared_strings(count=200, chars=30_000):
    """Few shared strings, each allowed, together past the text bound."""
    strings = "".join(f"<si><t>{'X' * chars}{i}</t></si>" for i in range(count))
    return workbook(_sheet('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'), HEAD + f"<sst {NS}>{strings}</sst>")


def tiny_cells(rows=2000, per_row=200):
    """Millions of tiny cells' worth of work: rows of small numbers, far more cells than a statement has."""
    row = "".join(f"<c><v>{i % 10}</v></c>" for i in range(per_row))
    return workbook(_sheet("".join(f'<row r="{r}">{row}</row>' for r in range(1, rows + 1))))


def one_wide_row(cells=20_000):
    """One row of tens of thousands of numbers."""
    return workbook(_sheet('<row r="1">' + "<c><v>1</v></c>" * cells + "</row>"))


def empty_styled_cells(rows=200, per_row=16_384):
    """Rows formatted to the last column: no value, but every cell is one more for the reader to build."""
    row = '<c s="0"/>' * per_row
    return workbook(_sheet("".join(f'<row r="{r}">{row}</row>' for r in range(1, rows + 1))))


def far_column():
    """A value in the last column Excel has: read naively, every row is 16,384 cells wide."""
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>1</v></c><c r="XFD{r}"><v>1</v></c></row>' for r in range(1, 40))
    return workbook(_sheet(rows))


def billion_laughs():
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "' + f"&lol{i - 1};" * 10 + '">' for i in range(1, 10))
    sheet = (HEAD + f"<!DOCTYPE worksheet [{entities}]>"
             + f'<worksheet {NS}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c>'
             "</row></sheetData></worksheet>")
    return workbook(sheet)


def external_entity():
    sheet = (HEAD + '<!DOCTYPE worksheet [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
             + f'<worksheet {NS}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&secret;</t></is></c>'
             "</row></sheetData></worksheet>")
    return workbook(sheet)


def zip_bomb(megabytes=300):
    """A workbook carrying a picture of 300 MB of zeros (about 300 KB packed)."""
    parts = _parts()
    parts["xl/worksheets/sheet1.xml"] = _sheet('<row r="1"><c r="A1"><v>1</v></c></row>')
    zeros = (b"\0" * (1024 * 1024) for _ in range(megabytes))
    return _zip(parts, streamed={"xl/media/image1.png": zeros})


def high_ratio(megabytes=20):
    """Under the size bound, but one member packed more than a thousand times."""
    parts = _parts()
    parts["xl/worksheets/sheet1.xml"] = _sheet('<row r="1"><c r="A1"><v>1</v></c></row>')
    parts["xl/media/image1.png"] = b"\0" * (megabytes * 1024 * 1024)
    return _zip(parts)


def lying_sizes():
    """A sheet whose headers declare 1 KB while its data unpacks to 50 MB."""
    real = (HEAD + f'<worksheet {NS}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>').encode() \
        + b"B" * (50 * 1024 * 1024) + b"</t></is></c></row></sheetData></worksheet>"
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = packer.compress(real) + packer.flush()
    return _with_raw_member(_zip(_parts()), b"xl/worksheets/sheet1.xml", packed, crc=zlib.crc32(real[:1024]),
                            declared=1024)


def _with_raw_member(archive_bytes, name, packed, crc, declared):
    """Append a deflated member to a zip by hand, its headers declaring `declared` bytes and `crc`."""
    body = archive_bytes
    end = body.rindex(b"PK\x05\x06")
    directory_at = int.from_bytes(body[end + 16:end + 20], "little")
    entries = int.from_bytes(body[end + 10:end + 12], "little")
    directory = body[directory_at:end]
    local_at = directory_at
    sizes = crc.to_bytes(4, "little") + len(packed).to_bytes(4, "little") + declared.to_bytes(4, "little")
    local = (b"PK\x03\x04" + (20).to_bytes(2, "little") + b"\0\0" + (8).to_bytes(2, "little") + b"\0\0\0\0"
             + sizes + len(name).to_bytes(2, "little") + b"\0\0" + name)
    central = (b"PK\x01\x02" + (20).to_bytes(2, "little") + (20).to_bytes(2, "little") + b"\0\0"
               + (8).to_bytes(2, "little") + b"\0\0\0\0" + sizes + len(name).to_bytes(2, "little")
               + b"\0" * 12 + local_at.to_bytes(4, "little") + name)
    new_directory_at = local_at + len(local) + len(packed)
    tail = (b"PK\x05\x06" + b"\0\0\0\0" + (entries + 1).to_bytes(2, "little") * 2
            + (len(directory) + len(central)).to_bytes(4, "little") + new_directory_at.to_bytes(4, "little")
            + b"\0\0")
    return body[:directory_at] + local + packed + directory + central + tail


def many_members(count=guard.MAX_MEMBERS + 50):
    parts = _parts()
    parts["xl/worksheets/sheet1.xml"] = _sheet('<row r="1"><c r="A1"><v>1</v></c></row>')
    parts.update({f"xl/media/p{i}.bin": b"" for i in range(count)})
    return _zip(parts)


def not_a_zip():
    return b"PK\x03\x04" + bytes(range(256)) * 64


CASES = {
    "one cell of 400 MB (the issue's file)": (huge_single_cell, LIMIT),
    "one cell longer than Excel allows": (long_cell, "một ô dài quá 32.767 ký tự"),
    "shared strings table past its count": (huge_shared_strings, "bảng chuỗi dùng chung có quá 100.000 chuỗi"),
    "shared strings past the text bound": (long_shared_strings, "tổng nội dung các ô quá 5.000.000 ký tự"),
    "hundreds of thousands of tiny cells": (tiny_cells, "có quá 100.000 ô có dữ liệu"),
    "one row of 20,000 numbers": (one_wide_row, "có dữ liệu ở cột xa hơn cột thứ 256"),
    "rows of 16,384 empty styled cells": (empty_styled_cells, "có một dòng quá 1.024 ô"),
    "a million empty styled cells": (lambda: empty_styled_cells(rows=1000, per_row=1000),
                                     "cấu trúc XML có quá 300.000 phần tử"),
    "a value in column XFD": (far_column, "có dữ liệu ở cột xa hơn cột thứ 256"),
    "billion laughs": (billion_laughs, XML_FORBIDDEN),
    "external entity": (external_entity, XML_FORBIDDEN),
    "zip bomb (300 MB of zeros)": (zip_bomb, "giải nén quá 40 MB"),
    "a tag of 4 MB": (lambda: huge_single_cell(4, in_tag=True), "đoạn dữ liệu XML dài quá 512 KB"),
    "one member packed a thousand times": (high_ratio, "tỉ lệ bất thường"),
    "headers that lie about the size": (lying_sizes, BROKEN),
    "too many members": (many_members, "có quá 200 tệp thành phần"),
    "not a zip": (not_a_zip, BROKEN),
}


def small_statement():
    """A well-formed workbook both imports can read: a statement's header row and one transfer."""
    cells = ("Ngày giao dịch", "Số tiền ghi có", "Nội dung", "Mã thủ tục", "Tên thủ tục")
    header = "".join(f'<c t="inlineStr"><is><t>{text}</t></is></c>' for text in cells)
    row = '<c t="inlineStr"><is><t>01/12/2026</t></is></c><c><v>6000</v></c>'
    return workbook(_sheet(f'<row r="1">{header}</row><row r="2">{row}</row>'))


def fuzz_workbooks():
    """Small workbooks, good and hostile, that the fuzz suite sends as any file part."""
    good = small_statement()
    return [good, good[: len(good) // 2], billion_laughs(), external_entity(), far_column(), long_cell(),
            not_a_zip()]

