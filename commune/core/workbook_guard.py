"""What an uploaded .xlsx must pass before openpyxl reads any of it.

A workbook is a zip of XML parts, so a file of a few KB can unpack to gigabytes (a zip bomb, one cell of
400 MB, millions of tiny cells, a shared strings table of a million entries, a "billion laughs" entity).
The bounds below are what one import may cost the machine, counted in what it decodes, not in what
arrives (docs/security.md, "Uploaded workbooks"):

1. the zip itself: few members, all of them together unpacking to at most MAX_UNPACKED bytes (as
   declared, then as actually read), and no member unpacking absurdly more than it takes packed;
2. every XML part, read with a bounded, streaming decompression and a streaming parse (expat, whose
   memory stays at one chunk): no DOCTYPE or entity, no single tag or text run longer than MAX_RUN,
   a bounded number of elements, cells, cells in a row, characters in a cell and shared strings.

Only then does openpyxl read the first sheet (read-only, streaming); the shape found here tells it how
wide a row may be, so a cell claiming column XFD pads nothing.
"""
import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from xml.parsers import expat

MB = 1024 * 1024
MAX_MEMBERS = 200  # a workbook from Excel or LibreOffice has 10-40
MAX_UNPACKED = 40 * MB  # all members together, unpacked
MAX_RATIO = 100  # unpacked / packed, for a member that unpacks past RATIO_FROM (pictures are packed already)
MAX_XML_RATIO = 1000  # the same for an XML part (it is counted as it unpacks): deflate's own ceiling is ~1032
RATIO_FROM = 1 * MB
MAX_RUN = 512 * 1024  # bytes from one "<" to the next: one tag, comment or piece of text
MAX_CELLS = 100_000  # cells with a value, in one sheet (and kept, once read)
MAX_ROW_CELLS = 1024  # cells written in one row, with a value or not
MAX_COLUMNS = 256  # the rightmost column holding a value
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
MAX_TEXT_CHARS = 5_000_000  # the characters of all cells of a sheet, or of the shared strings table
MAX_SHARED_STRINGS = 100_000
MAX_STREAMED_ELEMENTS = 300_000  # inside a sheet's data or the shared strings (read row by row by openpyxl)
MAX_WHOLE_ELEMENTS = 100_000  # anywhere else in a part (openpyxl builds those as a whole tree)

CHUNK = 64 * 1024
XML_SUFFIXES = (".xml", ".rels")
STREAMED = ("sheetData", "sst")  # what openpyxl reads piece by piece and forgets
_COLUMN = re.compile(r"([A-Za-z]+)")
# What zipfile and expat raise on a damaged file (a lying size fails its CRC: BadZipFile).
_DAMAGE = (expat.ExpatError, zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError,
           NotImplementedError, ValueError, zlib.error, struct.error, IndexError, KeyError, TypeError)


class Unreadable(ValueError):
    """Not an .xlsx workbook, or a damaged one."""


class OverLimit(Unreadable):
    """The workbook passes one of the bounds: `kind` names it, `limit` is its value."""

    def __init__(self, kind, limit):
        super().__init__(f"{kind} over {limit}")
        self.kind = kind
        self.limit = limit


class ForbiddenXml(Unreadable):
    """An XML part declares a DOCTYPE or an entity (a billion laughs, an external entity)."""


@dataclass
class Shape:
    columns: int = 0  # the rightmost column holding a value, over all sheets


def inspect_workbook(data):
    """The Shape of an .xlsx (bytes) that passes every bound; Unreadable, OverLimit or ForbiddenXml if not."""
    if _declared_members(data) > MAX_MEMBERS:
        raise OverLimit("members", MAX_MEMBERS)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            _check_members(members)
            shape, unpacked = Shape(), [0]
            for member in members:
                if member.filename.lower().endswith(XML_SUFFIXES):
                    _scan_part(archive, member, shape, unpacked)
            return shape
    except Unreadable:
        raise
    except _DAMAGE as error:
        raise Unreadable(str(error)) from error


def _declared_members(data):
    """The member count the zip's end record states, read before zipfile builds one object per member."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 65535))
    if end < 0 or end + 22 > len(data):
        raise Unreadable("no zip end record")
    return int.from_bytes(data[end + 10:end + 12], "little")  # 0xFFFF (zip64) is past the bound too


def _check_members(members):
    if len(members) > MAX_MEMBERS:
        raise OverLimit("members", MAX_MEMBERS)
    if sum(member.file_size for member in members) > MAX_UNPACKED:
        raise OverLimit("unpacked", MAX_UNPACKED // MB)
    for member in members:
        if member.flag_bits & 0x1:
            raise Unreadable("encrypted member")
        if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise Unreadable("unexpected compression")
        ratio = MAX_XML_RATIO if member.filename.lower().endswith(XML_SUFFIXES) else MAX_RATIO
        if member.file_size > RATIO_FROM and member.file_size > ratio * max(member.compress_size, 1):
            raise OverLimit("ratio", ratio)


def _scan_part(archive, member, shape, unpacked):
    """Unpack one XML part chunk by chunk (never past its declared size nor the archive's bound) into
    a streaming parse that counts what openpyxl would build."""
    scanner = _PartScanner()
    run = 0
    with archive.open(member) as stream:
        while chunk := stream.read(CHUNK):
            unpacked[0] += len(chunk)
            if unpacked[0] > MAX_UNPACKED:
                raise OverLimit("unpacked", MAX_UNPACKED // MB)
            run = _longest_run(chunk, run)
            scanner.feed(chunk)
    scanner.feed(b"", final=True)
    shape.columns = max(shape.columns, scanner.columns)


def _longest_run(chunk, run):
    """The bytes since the last "<" after this chunk; OverLimit past MAX_RUN. Expat keeps a whole tag or
    comment in memory until it ends, so no token may grow unbounded (a chunk is far smaller than MAX_RUN)."""
    first = chunk.find(b"<")
    if first < 0:
        run += len(chunk)
    else:
        if run + first > MAX_RUN:
            raise OverLimit("run", MAX_RUN // 1024)
        run = len(chunk) - chunk.rfind(b"<") - 1
    if run > MAX_RUN:
        raise OverLimit("run", MAX_RUN // 1024)
    return run


class _PartScanner:
    """Expat handlers counting elements, cells and characters of one part; raising stops the parse."""

    def __init__(self):
        parser = expat.ParserCreate(namespace_separator="}")
        parser.buffer_text = True
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = self._forbidden
        parser.EntityDeclHandler = self._forbidden
        parser.ExternalEntityRefHandler = self._forbidden
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._text
        self.parser = parser
        self.streamed_depth = 0  # > 0 inside sheetData or sst
        self.streamed = self.whole = 0
        self.cells = self.row_cells = self.strings = self.text = 0
        self.in_cell = self.in_string = False
        self.column = self.cell_column = self.cell_chars = self.columns = 0
        self.has_value = False

    def feed(self, chunk, final=False):
        self.parser.Parse(chunk, final)

    def _forbidden(self, *_args):
        raise ForbiddenXml("DOCTYPE or entity declaration")

    def _start(self, name, attributes):
        local = name.rpartition("}")[2]
        if self.streamed_depth:
            self.streamed += 1
            if self.streamed > MAX_STREAMED_ELEMENTS:
                raise OverLimit("elements", MAX_STREAMED_ELEMENTS)
        else:
            self.whole += 1
            if self.whole > MAX_WHOLE_ELEMENTS:
                raise OverLimit("elements", MAX_WHOLE_ELEMENTS)
        if local in STREAMED or self.streamed_depth:
            self.streamed_depth += 1
        if local == "row":
            self.row_cells = self.column = 0
        elif local == "c":
            self._cell(attributes.get("r"))
        elif local == "si":
            self.strings += 1
            if self.strings > MAX_SHARED_STRINGS:
                raise OverLimit("shared_strings", MAX_SHARED_STRINGS)
            self.in_string, self.cell_chars = True, 0

    def _cell(self, reference):
        self.row_cells += 1
        if self.row_cells > MAX_ROW_CELLS:
            raise OverLimit("row_cells", MAX_ROW_CELLS)
        letters = _COLUMN.match(reference or "")
        self.column = _column_number(letters.group(1)) if letters else self.column + 1
        self.in_cell, self.cell_chars, self.has_value = True, 0, False

    def _end(self, name):
        local = name.rpartition("}")[2]
        if self.streamed_depth:
            self.streamed_depth -= 1
        if local == "c" and self.in_cell:
            self.in_cell = False
            if self.has_value:
                self.cells += 1
                if self.cells > MAX_CELLS:
                    raise OverLimit("cells", MAX_CELLS)
                self.columns = max(self.columns, self.column)
                if self.column > MAX_COLUMNS:
                    raise OverLimit("columns", MAX_COLUMNS)
        elif local == "si":
            self.in_string = False

    def _text(self, text):
        if not (self.in_cell or self.in_string):
            return  # the whitespace between tags, the text of other parts: bounded by MAX_RUN and elements
        self.has_value = self.has_value or bool(text.strip())
        self.cell_chars += len(text)
        self.text += len(text)
        if self.cell_chars > MAX_CELL_CHARS:
            raise OverLimit("cell_chars", MAX_CELL_CHARS)
        if self.text > MAX_TEXT_CHARS:
            raise OverLimit("text", MAX_TEXT_CHARS)


def _column_number(letters):
    number = 0
    for letter in letters[:4].upper():  # four letters already pass any bound
        number = number * 26 + ord(letter) - 64
    return number
