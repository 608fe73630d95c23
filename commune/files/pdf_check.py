"""What a villager's PDF really holds, read by pypdf: how many pages, and whether anything in it runs or calls out.

A byte search misses what sits in compressed object streams (PDF 1.5+, which most
phone apps and VNeID exports write): pages there are not counted, and a
`/JavaScript` action there is invisible. pypdf reads the cross-reference streams
and object streams, so every object of the file is looked at once; it also decodes
name escapes (`/J#61vaScript` is `/JavaScript`).

Refused ("active"): scripts, embedded files and XFA forms, and every action that
leaves the document — a web link (`/URI`), another file (`/GoToR`, `/GoToE`, a
thread in another file), a program (`/Launch`), sending or importing form data
(`/SubmitForm`, `/ImportData`), rich media and renditions. Two nets:

- anywhere in any object, a dictionary whose `/S` (the action type) is one of those,
  or which carries a script, an embedded file or an XFA form;
- in the places an action can sit (`/A`, `/OpenAction`, `/AA`, `/Next`: annotations,
  links, outlines, form fields, the document and its pages), only actions that stay in
  the document are accepted (go to a page, a named command, show/hide, layers,
  transitions, 3D views, a thread of this file); anything else is refused.

A raw-byte look at escaped names adds a third: a name written with `#xx` escapes that
spells an outward action is refused even in an object pypdf cannot read, since a
lenient viewer might still read it. Every comparison ignores case.
"""
import io
import re

# pypdf's classes, imported by the first inspect_pdf(): the idle server does not carry the library.
PdfReader = ArrayObject = DictionaryObject = IndirectObject = None

# Action types (lower case) that run code, open other programs or files, send data or call out.
OUTWARD_ACTIONS = {
    "/javascript", "/ecmascript", "/launch", "/importdata", "/submitform", "/richmediaexecute",
    "/gotoe", "/gotor", "/uri", "/rendition", "/movie", "/sound",
}
# The only action types accepted where an action sits: they stay inside this document.
INTERNAL_ACTIONS = {"/goto", "/gotodp", "/named", "/hide", "/setocgstate", "/trans", "/goto3dview", "/thread"}
# Keys (lower case) that carry scripts, embedded files or XFA forms (which run scripts too).
ACTIVE_KEYS = {"/js", "/javascript", "/embeddedfiles", "/ef", "/xfa", "/richmediacontent", "/richmediasettings"}
ACTIVE_SUBTYPES = {"/fileattachment", "/richmedia", "/embeddedfile"}
# Where an action (or, for /AA, a dictionary of actions) can sit.
ACTION_SLOTS = ("/A", "/OpenAction", "/Next")
MAX_OBJECTS = 20_000  # a 60-page scan has a few hundred; more is not a document from a phone
MAX_DEPTH = 40
MAX_CHAIN = 50  # actions chained by /Next
# A raw name (PDF 32000 7.3.5: up to a delimiter or white space); only those with a #xx escape are decoded.
_RAW_NAME = re.compile(rb"/[^\s/<>\[\]()%{}]{1,127}")
_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


class PdfProblem(Exception):
    """`kind`: "broken", "encrypted", "active" or "complex"."""

    def __init__(self, kind):
        super().__init__(kind)
        self.kind = kind


def _load_pypdf():
    global PdfReader, ArrayObject, DictionaryObject, IndirectObject  # noqa: PLW0603 - set once, then read
    if PdfReader is None:
        import pypdf
        from pypdf import generic

        ArrayObject, DictionaryObject = generic.ArrayObject, generic.DictionaryObject
        IndirectObject, PdfReader = generic.IndirectObject, pypdf.PdfReader


def inspect_pdf(data):
    """The number of pages of a PDF, or PdfProblem: unreadable, locked, runs code, calls out or absurd."""
    _load_pypdf()
    _check_escaped_names(data)
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


def _lower_name(value):
    return str(value).lower() if isinstance(value, str) else None


def _check_escaped_names(data):
    """Refuse a raw name that, once its #xx escapes are decoded, spells an outward action or an active key."""
    for match in _RAW_NAME.finditer(data):
        if b"#" not in match.group(0):
            continue  # an unescaped name is read by pypdf below (and by the pipeline's byte search)
        name = _HEX_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(0))
        lowered = name.decode("latin-1").lower()
        if lowered in OUTWARD_ACTIONS or lowered in ACTIVE_KEYS or lowered in ACTIVE_SUBTYPES:
            raise PdfProblem("active")


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


def _resolve(value):
    """The object a value refers to; an action slot whose target cannot be read is refused as broken."""
    if not isinstance(value, IndirectObject):
        return value
    try:
        return value.get_object()
    except Exception as error:  # noqa: BLE001 - untrusted bytes
        raise PdfProblem("broken") from error


def _check(obj, depth):
    """Look through one object and the direct objects inside it (referenced ones are checked on their own)."""
    if depth > MAX_DEPTH:
        raise PdfProblem("complex")
    if isinstance(obj, IndirectObject):
        return
    if isinstance(obj, DictionaryObject):
        _check_dictionary(obj)
        for value in obj.values():
            _check(value, depth + 1)
    elif isinstance(obj, ArrayObject):
        for value in obj:
            _check(value, depth + 1)


def _check_dictionary(obj):
    if any(_lower_name(key) in ACTIVE_KEYS for key in obj):
        raise PdfProblem("active")
    kind = _lower_name(_resolve(obj.get("/S")))
    if kind in OUTWARD_ACTIONS:
        raise PdfProblem("active")
    if _lower_name(_resolve(obj.get("/Type"))) == "/action":
        _check_action(obj, 0)
    if {_lower_name(_resolve(obj.get("/Subtype"))), _lower_name(_resolve(obj.get("/Type")))} & ACTIVE_SUBTYPES:
        raise PdfProblem("active")
    for slot in ACTION_SLOTS:
        if slot in obj:
            _check_action(_resolve(obj.get(slot)), 0)
    triggers = _resolve(obj.get("/AA"))
    if isinstance(triggers, DictionaryObject):
        for value in triggers.values():
            _check_action(_resolve(value), 0)


def _check_action(action, chain):
    """An object in an action slot: a destination, or a dictionary without an action type (the /A of a
    structure element holds attributes, an outline item's /Next is its sibling) passes; an action must
    stay inside the document."""
    if chain > MAX_CHAIN:
        raise PdfProblem("complex")
    if isinstance(action, ArrayObject) and action and all(
            isinstance(_resolve(item), DictionaryObject) for item in action):
        for item in action:  # /Next may be an array of actions
            _check_action(_resolve(item), chain + 1)
        return
    if not isinstance(action, DictionaryObject) or "/S" not in action:
        return
    kind = _lower_name(_resolve(action.get("/S")))
    if kind not in INTERNAL_ACTIONS:
        raise PdfProblem("active")
    if kind == "/thread" and "/F" in action:  # a thread of another file
        raise PdfProblem("active")
    if "/Next" in action:
        _check_action(_resolve(action.get("/Next")), chain + 1)
