"""How a hostile request travels, for the fuzz suite: bodies of every content type, headers.

The outside fuzz (35,871 cases) found three classes of 500 our own fuzz had missed, because
it sent only urlencoded and well-behaved multipart bodies and no headers:
- a JSON body whose values are numbers, lists or objects where a form expects text;
- a number too large for the database (10**20 in an admin form's `position`);
- Unicode digits ("²", "٣", "３") where the code reads a number.
So a body here is also JSON (any shape), text/plain, multipart with odd parts (a text field
sent as a file, a file field sent as text, a part without a name, no closing boundary) or
raw bytes of any type the site reads (tus's offset stream); every field and URL argument
sees those numbers often; and each request carries a few of the headers the site, Flask or
Werkzeug read, with hostile values. The header names come from the code, like the form fields.
"""
import json
import re
from pathlib import Path

from hypothesis import strategies as st

import commune

# Numbers an attacker types: Unicode digits (isdigit() says yes; int() refuses "²" and reads
# "٣" as 3), and integers past PostgreSQL's INTEGER, SQLite's 64 bits and int()'s 4300 digits.
NUMBERISH = ["²", "٣", "３", "⁵", "①", "١٢", "１２", "1²", "٣٤٥", "-٣", "+1", "1_000", " 7 ", "0x10",
             str(10**20), str(-(10**20)), str(2**63), str(2**63 - 1), str(-(2**63) - 1), str(2**31),
             str(2**31 - 1), str(-(2**31) - 1), str(2**64), "9" * 400, "9" * 5000, "-0", "00", "1e3"]
HUGE = [10**20, -(10**20), 2**63, 2**31, 2**64, -(2**31) - 1]

_READ_HEADER = re.compile(r"headers\.get\(\s*[\"']([\w-]+)")
_READ_ENVIRON = re.compile(r"environ\.get\(\s*[\"']HTTP_(\w+)")
# Read by Flask, Werkzeug, Flask-WTF, Flask-Babel, htmx's conventions or the tus protocol, not by a
# `headers.get` of ours: conditional requests, ranges, content negotiation, the CSRF header.
LIBRARY_HEADERS = [
    "If-None-Match", "If-Modified-Since", "If-Match", "If-Unmodified-Since", "If-Range", "Range",
    "Accept", "Accept-Encoding", "Accept-Language", "Accept-Charset", "X-CSRFToken", "X-CSRF-Token",
    "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Real-IP", "Forwarded",
    "HX-Request", "HX-Boosted", "HX-History-Restore-Request", "HX-Target", "HX-Trigger", "HX-Current-URL",
    "Tus-Resumable", "Upload-Length", "Upload-Offset", "Upload-Metadata", "Upload-Checksum",
    "Upload-Defer-Length", "X-HTTP-Method-Override", "X-Requested-With", "Origin", "Referer",
    "Content-Encoding", "Cache-Control", "Pragma", "DNT", "User-Agent",
]
HEADER_VALUES = {
    "If-None-Match": ['"x"', 'W/"x"', "*", '"a", W/"b", *', "W/", '"', ",,,", '"' + "a" * 2000 + '"'],
    "If-Modified-Since": ["Mon, 01 Jan 99999 00:00:00 GMT", "Thu, 01 Jan 1970 00:00:00 GMT", "0", "-1",
                          "Sun, 31 Feb 2024 25:61:61 GMT", "9" * 400, "Tue, 19 Jan 2038 03:14:08 GMT",
                          "Fri, 31 Dec 9999 23:59:59 GMT", "Mon, 01 Jan 0001 00:00:00 GMT"],
    "Range": ["bytes=0-99999999999999999999", "bytes=-0", "bytes=5-1", "bytes=²-", "bytes=0-0,0-0,0-0",
              "bytes=-99999999999999999999", "items=0-1", "bytes=" + ",".join(["0-1"] * 300)],
    "Upload-Metadata": ["filename " + "a" * 300, "filename", "filename %%%", "a,b,,", "filename ²",
                        "filetype aW1hZ2UvanBlZw==,filename YS5qcGc=", ",,,,", "filename " + "=" * 40],
    "Tus-Resumable": ["1.0.0", "1.0.0", "0.2.2", "²"],
    "HX-Request": ["true", "true", "false", "TRUE"],
    "HX-Boosted": ["true"], "HX-History-Restore-Request": ["true"],
    "X-Forwarded-For": ["1.2.3.4", "999.1.1.1, ::1", "::ffff:127.0.0.1", "unknown", ",,,", "1.2.3.4 " * 100],
    "Accept-Encoding": ["br;q=NaN, gzip;q=1e400", "*;q=-1", "gzip;q=²", "identity;q=0, *;q=0"],
    "Accept-Language": ["vi;q=NaN", "en-US,en;q=0.9,*;q=²", "xx-" + "a" * 300, "*"],
}


def headers_read_by_code():
    """Header names our code reads (`headers.get("…")`, `environ.get("HTTP_…")`), plus the libraries'."""
    root = Path(commune.__file__).parent
    found = set(LIBRARY_HEADERS)
    for path in root.rglob("*.py"):
        text = path.read_text()
        found |= set(_READ_HEADER.findall(text))
        found |= {"-".join(p.capitalize() for p in m.split("_")) for m in _READ_ENVIRON.findall(text)}
    return sorted(found - {"Host", "Content-Type", "Content-Length", "Cookie"})  # the client sets these


def _header_text(value):
    """What a server hands the app: the bytes read as latin-1, one line (a newline ends the header)."""
    raw = value.encode("utf-8", "surrogatepass").decode("latin-1")
    return re.sub(r"[\r\n\x00]", "", raw)


def header_values(name, hostile_text):
    known = HEADER_VALUES.get(name, [])
    numeric = st.sampled_from(NUMBERISH) if name.startswith("Upload-") or "Length" in name else st.nothing()
    return st.one_of(st.sampled_from(known) if known else st.nothing(), numeric, st.sampled_from(NUMBERISH),
                     hostile_text).map(_header_text)


def headers(names, hostile_text):
    """A few of the headers the site reads, each with a hostile value."""
    return st.lists(st.sampled_from(names), max_size=3, unique=True).flatmap(
        lambda chosen: st.fixed_dictionaries({n: header_values(n, hostile_text) for n in chosen}))


# ---- bodies ---------------------------------------------------------------------------------

JSON_TYPES = ["application/json", "application/json; charset=utf-8", "application/merge-patch+json",
              "application/vnd.api+json"]
RAW_TYPES = ["text/plain", "text/plain; charset=utf-16", "application/offset+octet-stream",
             "application/octet-stream", "application/xml", "multipart/form-data", "multipart/form-data; boundary=",
             "multipart/mixed; boundary=x", "application/x-www-form-urlencoded; charset=utf-16", "", "*/*"]


def json_scalar():
    return st.one_of(st.none(), st.booleans(), st.sampled_from(HUGE), st.integers(-5, 100),
                     st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=20),
                     st.sampled_from(NUMBERISH))


def json_value():
    """Anything JSON holds: where the form expects text it gets a number, a list, an object, null."""
    return st.recursive(json_scalar(), lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)), max_leaves=6)


@st.composite
def json_body(draw, names):
    """(content type, bytes): mostly an object keyed by the form's fields, sometimes any JSON at all."""
    if names and draw(st.integers(0, 3)):
        document = {name: draw(json_value()) for name in names if draw(st.integers(0, 4))}
    else:
        document = draw(json_value())
    text = json.dumps(document, allow_nan=True)
    if draw(st.integers(0, 9)) == 0:
        text = text[:max(len(text) - 1, 0)]  # cut short: not JSON at all
    return draw(st.sampled_from(JSON_TYPES)), text.encode()


@st.composite
def odd_multipart(draw, pairs, file_names):
    """(content type, bytes): multipart written by hand, each part a little wrong in its own way."""
    boundary = "fuzzBoundary7MA4YWxk"
    out = []
    for name, value in pairs:
        value = value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
        how = draw(st.sampled_from(("plain", "plain", "as-file", "no-name", "charset", "twice-named")))
        disposition = f'form-data; name="{name}"'
        if how == "as-file" or (name in file_names and draw(st.booleans())):
            disposition += f'; filename="{draw(st.sampled_from(["a.txt", "", "../x", "²"]))}"'
        elif how == "no-name":
            disposition = "form-data"
        elif how == "twice-named":
            disposition += f'; name="{name}x"'
        head = f"Content-Disposition: {disposition}\r\n"
        if how == "charset":
            head += "Content-Type: text/plain; charset=utf-16\r\n"
        out.append(f"--{boundary}\r\n{head}\r\n".encode("utf-8", "surrogatepass") + value + b"\r\n")
    ending = draw(st.sampled_from((f"--{boundary}--\r\n", f"--{boundary}--\r\n", "", f"--{boundary}")))
    return f"multipart/form-data; boundary={boundary}", b"".join(out) + ending.encode()


# ---- the deterministic sweep's variants of a well-formed body --------------------------------

def json_variants(body):
    """The well-formed body as JSON, with its values a number, a list, an object, null; then JSON
    that is not an object at all. Each would give a 500 where Flask-WTF reads JSON as form data."""
    names = [name for name, _value in body]
    yield {name: value for name, value in body}
    for replacement in (2**63, ["a", "b"], {"x": None}, None):
        yield {name: replacement for name in names}
    yield [1, 2]


def as_files(body):
    """The well-formed body with every value sent as a file part (werkzeug puts them in request.files)."""
    from io import BytesIO

    return [(name, (BytesIO(value.encode("utf-8", "surrogatepass")), "a.txt")) for name, value in body]
