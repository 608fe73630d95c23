"""What a villager's PDF really holds, read by pypdf: how many pages, and whether anything in it runs.

A byte search misses what sits in compressed object streams (PDF 1.5+, which most
phone apps and VNeID exports write): pages there are not counted, and a
`/JavaScript` action there is invisible. pypdf reads the cross-reference streams
and object streams, so every object of the file is looked at once.
"""
import io

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

# Actions that run code, open other programs or send data somewhere.
ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/RichMediaExecute", "/GoToE"}
# Keys that carry scripts, embedded files or XFA forms (which run scripts too).
ACTIVE_KEYS = {"/JS", "/JavaScript", "/EmbeddedFiles", "/EF", "/XFA", "/RichMediaContent"}
MAX_OBJECTS = 20_000  # a 60-page scan has a few hundred; more is not a document from a phone
MAX_DEPTH = 40


class PdfProblem(Exception):
    """`kind`: "broken", "encrypted", "active" or "complex"."""

    def __init__(self, kind):
        super().__init__(kind)
        self.kind = kind


def inspect_pdf(data):
    """The number of pages of a PDF, or PdfProblem if it cannot be read, is locked, runs code or is absurd."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise PdfProblem("encrypted")  # the clerk could not open it either
        pages = len(reader.pages)
        _check_objects(reader)
    except PdfProblem:
        raise
    except Exception as error:  # noqa: BLE001 - a parser fed untrusted bytes fails in many ways
        raise PdfProblem("broken") from error
    if pages < 1:
        raise PdfProblem("broken")
    return pages


def _object_numbers(reader):
    numbers = set(getattr(reader, "xref_objStm", {}))
    for table in getattr(reader, "xref", {}).values():
        numbers.update(table)
    numbers.discard(0)
    return numbers


def _check_objects(reader):
    numbers = _object_numbers(reader)
    if len(numbers) > MAX_OBJECTS:
        raise PdfProblem("complex")
    for number in numbers:
        try:
            obj = reader.get_object(number)
        except Exception:  # noqa: BLE001, S112 - an unreadable stray object is not a reason to refuse
            continue
        _check(obj, 0)


def _check(obj, depth):
    """Look through one object and the direct objects inside it (referenced ones are checked on their own)."""
    if depth > MAX_DEPTH:
        raise PdfProblem("complex")
    if isinstance(obj, IndirectObject):
        return
    if isinstance(obj, DictionaryObject):
        if ACTIVE_KEYS.intersection(obj.keys()) or obj.get("/S") in ACTIVE_ACTIONS:
            raise PdfProblem("active")
        if obj.get("/Type") == "/EmbeddedFile" or obj.get("/Subtype") == "/FileAttachment":
            raise PdfProblem("active")
        for value in obj.values():
            _check(value, depth + 1)
    elif isinstance(obj, ArrayObject):
        for value in obj:
            _check(value, depth + 1)
