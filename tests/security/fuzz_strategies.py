"""Hypothesis strategies for the fuzz suite, all derived from the app itself.

- routes come from app.url_map; each URL argument gets values by its converter, mixed with
  the strings the view itself compares against (its code's constants) and the real codes,
  ids and numbers of the populated commune;
- form fields come from every CommuneForm subclass found by importing the whole `commune`
  package; a POST route is sent the fields of the forms of its own feature package and of
  the forms its view names, each value either plausible for the field's type or hostile;
- query-string names come from the forms and from every `request.args.get("…")` in the code;
- bodies of other content types (JSON, text, odd multipart) and headers: fuzz_wire.py.
So a new route, form or query parameter is fuzzed without anyone writing a test for it.
"""
import functools
import importlib
import inspect
import pkgutil
import re
import string
import types
from pathlib import Path
from urllib.parse import quote, urlencode

from hypothesis import strategies as st
from wtforms import fields as wtf
from wtforms.fields.core import UnboundField

import commune
from commune.core.forms import CommuneForm, CommuneSubForm
from tests.security import fuzz_wire as wire

ARG = re.compile(r"<(?:(?P<conv>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")
READ_ARG = re.compile(r"request\.(?:args|form|values)\.get(?:list)?\(\s*f?[\"']([\w-]+)")

# Values an attacker tries first.
NASTY = [
    "", " ", "0", "-1", "1.5", "1e400", "NaN", "inf", "-0", "00000001", "²", "٣", "１２",
    "99999999999999999999", str(2**63 - 1), str(2**63), str(-(2**63) - 1), str(10**30),
    "\x00", "a\x00b", "\ufeff", "\u202e", "\u200b", "'\"<>&;", "' OR 1=1 --", "%00", "%ff", "../../etc/passwd",
    "{{7*7}}", "${7*7}", "<script>alert(1)</script>", "=HYPERLINK(\"http://x\")", "\r\nSet-Cookie: x=1",
    "null", "true", "[]", "{}", "A" * 5000, "đ" * 3000, "🙂" * 500, "\udcff",
    "2024-02-30", "30/02/2024", "9999-12-31", "0000-00-00", "25:61", "-5", "+1", " 1 ",
]
INVALID_UTF8 = [b"\xff", b"\xc3\x28", b"\xa0\xa1", b"\xe2\x28\xa1", b"\xf0\x28\x8c\xbc", b"\xc0\xaf",
                b"\xed\xa0\x80", b"abc\x80def"]


def import_everything():
    """Import every module of `commune` so every form class exists."""
    for info in pkgutil.walk_packages(commune.__path__, "commune."):
        importlib.import_module(info.name)


def form_classes():
    """Every CommuneForm subclass (recursively), sorted by qualified name."""
    import_everything()
    seen, stack = {}, [CommuneForm]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            name = f"{sub.__module__}.{sub.__qualname__}"
            if name not in seen:
                seen[name] = sub
                stack.append(sub)
    return dict(sorted(seen.items()))


def unbound_fields(form_cls):
    """[(name, UnboundField)] of a form class, without instantiating it."""
    return [(name, value) for name in dir(form_cls)
            if isinstance(value := getattr(form_cls, name, None), UnboundField)]


def field_names(form_cls, prefix=""):
    """[(input name, UnboundField)] as the browser would send them (FieldList rows expanded)."""
    names = []
    for name, unbound in unbound_fields(form_cls):
        full = f"{prefix}{name}"
        cls = unbound.field_class
        if issubclass(cls, wtf.FieldList):
            inner = unbound.args[0] if unbound.args else unbound.kwargs.get("unbound_field")
            for row in range(2):
                if inner is not None and issubclass(inner.field_class, wtf.FormField):
                    sub = inner.args[0] if inner.args else inner.kwargs.get("form_class")
                    names += field_names(sub, f"{full}-{row}-")
                else:
                    names.append((f"{full}-{row}", inner))
        elif issubclass(cls, wtf.FormField):
            sub = unbound.args[0] if unbound.args else unbound.kwargs.get("form_class")
            if isinstance(sub, type) and issubclass(sub, (CommuneForm, CommuneSubForm)):
                names += field_names(sub, f"{full}-")
        else:
            names.append((full, unbound))
    return names


def code_objects(func):
    """The code of `func` and every function nested in it."""
    stack, found = [inspect.unwrap(func).__code__], []
    while stack:
        code = stack.pop()
        found.append(code)
        stack += [c for c in code.co_consts if isinstance(c, types.CodeType)]
    return found


def view_constants(func):
    """Strings the view compares its arguments against: its code's short constants and the
    keys of the module-level tables it reads (e.g. the inbox's ACTIONS)."""
    try:
        codes = code_objects(func)
        scope = inspect.unwrap(func).__globals__
    except (AttributeError, TypeError):
        return []
    found = {c for code in codes for c in code.co_consts if isinstance(c, str)}
    for name in {n for code in codes for n in code.co_names}:
        table = scope.get(name)
        if isinstance(table, dict):
            found |= {k for k in table if isinstance(k, str)}
    return sorted(c for c in found if 0 < len(c) <= 40 and "\n" not in c)


def forms_for_view(func, forms):
    """Form classes the view's code names (as a global or an attribute) first, then the others
    its package defines (a view may reach a form through a table, as the inbox's ACTIONS)."""
    try:
        view = inspect.unwrap(func)
        names = {n for code in code_objects(func) for n in code.co_names}
    except (AttributeError, TypeError):
        return []
    package = view.__module__.rsplit(".", 1)[0]
    named = [cls for cls in forms.values() if cls.__name__ in names]
    return named + [cls for cls in forms.values()
                    if cls not in named and cls.__module__.startswith(package + ".")]


def named_forms(func, forms):
    """Only the form classes the view's code names."""
    try:
        names = {n for code in code_objects(func) for n in code.co_names}
    except (AttributeError, TypeError):
        return []
    return [cls for cls in forms.values() if cls.__name__ in names]


def names_read_by_hand():
    """Every query/body name the code reads directly from request.args / request.form."""
    root = Path(commune.__file__).parent
    return sorted({m for path in root.rglob("*.py") for m in READ_ARG.findall(path.read_text())})


# ---- values -------------------------------------------------------------------------------

def hostile_text():
    return st.one_of(
        st.sampled_from(NASTY),
        st.sampled_from(wire.NUMBERISH),
        st.text(max_size=60),
        st.text(alphabet=st.characters(codec="utf-8"), min_size=200, max_size=3000),
        st.integers(min_value=-(2**80), max_value=2**80).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
    )


def hostile_value():
    """A str, or bytes that are not valid UTF-8."""
    return st.one_of(hostile_text(), st.sampled_from(INVALID_UTF8),
                     st.binary(max_size=40).map(lambda b: b + b"\xff"))


def plausible(unbound):
    """A value of the field's own type (so validation passes and the view's code runs)."""
    cls = unbound.field_class if unbound is not None else wtf.StringField
    kwargs = unbound.kwargs if unbound is not None else {}
    checks = {type(v).__name__ for v in kwargs.get("validators") or ()}
    choices = kwargs.get("choices")
    if choices and not callable(choices):
        values = [str(c[0] if isinstance(c, (tuple, list)) else getattr(c, "value", c)) for c in choices]
        if values:
            return st.sampled_from(values)
    if "PhoneNumber" in checks:
        return st.sampled_from(["0912345678", "0987 654 321", "+84912345678"])
    if "CitizenId" in checks:
        return st.sampled_from(["001203004567", "001 203 004 567"])
    if "Email" in checks:
        return st.sampled_from(["an@example.vn", "x@y.z"])
    patterns = [v.regex for v in kwargs.get("validators") or () if type(v).__name__ == "Regexp"]
    if patterns:  # e.g. a slug: a value that passes, so the code behind the form runs
        return st.from_regex(patterns[0], fullmatch=True).filter(lambda v: 0 < len(v) <= 40)
    if issubclass(cls, (wtf.IntegerField, wtf.DecimalField, wtf.FloatField)):
        return st.integers(min_value=-5, max_value=100_000).map(str)
    if issubclass(cls, (wtf.DateField, wtf.DateTimeField)):
        return st.dates().map(lambda d: d.isoformat())
    if issubclass(cls, wtf.BooleanField):
        return st.sampled_from(["y", "1", "on", ""])
    if issubclass(cls, wtf.PasswordField):
        return st.sampled_from(["mat-khau-123", "mat-khau-moi-456"])
    return st.one_of(st.text(alphabet=string.ascii_lowercase + "Đđàáạ0123456789 -", min_size=1, max_size=30),
                     st.sampled_from(["0912345678", "001203004567", "Nguyễn Văn An", "Thôn Đông", "1", "y"]))


def field_value(unbound):
    return st.one_of(plausible(unbound), plausible(unbound), hostile_value())


@st.composite
def body(draw, fields, file_names):
    """(content type, payload): mostly a well-formed submission with a few fields mutated
    (missing, repeated, hostile), sometimes chaos; sent urlencoded or as multipart, or as JSON,
    odd multipart or raw bytes of some other type (fuzz_wire)."""
    pairs = []
    chaos = draw(st.integers(0, 3)) == 0
    mutated = set() if chaos else set(draw(st.lists(st.integers(0, max(len(fields) - 1, 0)), max_size=2)))
    for index, (name, unbound) in enumerate(fields):
        if chaos:
            pairs += [(name, draw(field_value(unbound))) for _ in range(draw(st.sampled_from((0, 1, 1, 2))))]
        elif index not in mutated:
            pairs.append((name, draw(plausible(unbound))))
        else:
            how = draw(st.sampled_from(("missing", "missing", "hostile", "twice", "empty")))
            if how == "hostile":
                pairs.append((name, draw(hostile_value())))
            elif how == "twice":
                pairs += [(name, draw(field_value(unbound))), (name, draw(field_value(unbound)))]
            elif how == "empty":
                pairs.append((name, ""))
    if chaos:
        pairs += draw(st.lists(st.tuples(hostile_text(), hostile_value()), max_size=2))
    kind = draw(st.sampled_from(("form", "form", "form", "multipart", "raw", "json", "json", "odd")))
    if kind == "raw":
        content_type = draw(st.sampled_from(["application/x-www-form-urlencoded", *wire.RAW_TYPES]))
        payload = draw(st.one_of(st.binary(max_size=300), st.just(urlencode([(_bytes(k), _bytes(v)) for k, v in pairs]))
                                 .map(_bytes)))
        return content_type, payload + draw(st.sampled_from([b"", *INVALID_UTF8]))
    if kind == "json":
        return draw(wire.json_body([name for name, _u in fields]))
    if kind == "odd":
        return draw(wire.odd_multipart([(as_text(k), v) for k, v in pairs], file_names))
    if kind == "multipart" or (file_names and draw(st.booleans())):
        from io import BytesIO

        from werkzeug.datastructures import MultiDict

        # The multipart encoder needs text; invalid UTF-8 travels in the other two kinds.
        data = MultiDict([(as_text(k), as_text(v)) for k, v in pairs])
        for name in file_names:
            if draw(st.booleans()):
                payload = draw(st.one_of(st.binary(max_size=200),
                                         st.sampled_from([TINY_JPEG, TINY_PDF, *_workbooks()])))
                filename = draw(st.sampled_from(["a.jpg", "x.pdf", "", "../../x", "a\x00.png", "sao-ke.xlsx"]))
                data.add(name, (BytesIO(payload), filename))
        return "multipart/form-data", data
    return "application/x-www-form-urlencoded", urlencode([(_bytes(k), _bytes(v)) for k, v in pairs])


@functools.cache
def _workbooks():
    """Good and hostile .xlsx files (tests/security/hostile_workbooks.py), for the workbook imports."""
    from tests.security.hostile_workbooks import fuzz_workbooks

    return tuple(fuzz_workbooks())


TINY_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
            b"trailer<</Root 1 0 R>>\n%%EOF\n")
TINY_JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b0c1912130f"
    "141d1a1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e333432ffc0000b080001000101011100"
    "ffc4001f0000010501010101010100000000000000000102030405060708090a0bffc400b5100002010303020403050504040000"
    "017d01020300041105122131410613516107227114328191a1082342b1c11552d1f02433627282090a161718191a25262728292a"
    "3435363738393a434445464748494a535455565758595a636465666768696a737475767778797a838485868788898a9293949596"
    "9798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2"
    "f3f4f5f6f7f8f9faffda0008010100003f00fbd3ffd9")


def _bytes(value):
    return value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")


def as_text(value):
    """The text a server would decode from `value` (invalid UTF-8 replaced)."""
    return _bytes(value).decode("utf-8", "replace")


def query_string(names):
    pairs = st.lists(st.tuples(st.one_of(st.sampled_from(names), hostile_text()), hostile_value()), max_size=4)
    # Raw bytes as WSGI carries them; an HTTP request line cannot hold controls, spaces or '#'.
    raw = st.binary(max_size=80).map(lambda b: bytes(c for c in b + b"\xff" if c > 0x20 and c not in (0x23, 0x7f))
                                     .decode("latin-1"))
    return st.one_of(pairs.map(lambda p: urlencode([(_bytes(k), _bytes(v)) for k, v in p])), raw)


def url_arg(converter, known):
    """A value for one URL argument, quoted for the path (so invalid UTF-8 travels as %FF):
    mostly a real one (so the view's code runs), else hostile."""
    if converter == "int":
        real = st.sampled_from(known) if known else st.integers(min_value=1, max_value=12).map(str)
        hostile = st.one_of(st.integers(min_value=-(2**70), max_value=2**70).map(str),
                            st.sampled_from(["0", "-1", "007", "1.0", "99999999999999999999", str(2**63 - 1),
                                             str(2**63), str(2**31 - 1), str(2**31), "٣", "²"]),
                            st.sampled_from(wire.NUMBERISH))
    else:
        real = st.sampled_from(known or ["x"])
        hostile = hostile_text()
    value = st.integers(0, 9).flatmap(
        lambda n: real if n < 7 else hostile if n < 9 else st.sampled_from(INVALID_UTF8))
    return value.map(lambda v: quote(v if isinstance(v, bytes) else v.encode("utf-8", "surrogatepass"), safe=""))


def build_path(rule, values):
    """The rule's path with each <arg> replaced by its (already quoted) value."""
    return ARG.sub(lambda m: values[m.group("name")], rule.rule)


def rule_converters(rule):
    return {m.group("name"): m.group("conv") or "default" for m in ARG.finditer(rule.rule)}


# ---- the deterministic sweep: well-formed bodies with one field changed ---------------------

# "٣" is also what "letters" were: not a number, to a strict reader; 2**31 overflows PostgreSQL only.
WRONG = ("", "٣", "-1", "99999999999999999999", str(2**31), "²", "\x00", "A" * 3000)


def sweep_targets(func, forms, has_key):
    """[(url key or None, [form classes])] to sweep for a view: its named forms (or its package's);
    for a route with a <key>, each entry of the module tables it reads whose value has a `.form`."""
    if has_key:
        scope = inspect.unwrap(func).__globals__
        names = {n for code in code_objects(func) for n in code.co_names}
        targets = []
        for name in sorted(names):
            table = scope.get(name)
            if isinstance(table, dict):
                targets += [(k, [v.form]) for k, v in table.items()
                            if isinstance(getattr(v, "form", None), type) and issubclass(v.form, CommuneForm)]
        if targets:
            return targets
    return [(None, named_forms(func, forms) or forms_for_view(func, forms)[:6])]


def _plain(name, unbound):
    """Plausible values for a field, one per choice for radio buttons and selects."""
    cls = unbound.field_class
    choices = unbound.kwargs.get("choices")
    if choices and not callable(choices):
        return [str(c[0] if isinstance(c, (tuple, list)) else getattr(c, "value", c)) for c in choices] or [""]
    checks = {type(v).__name__ for v in unbound.kwargs.get("validators") or ()}
    patterns = [v.regex for v in unbound.kwargs.get("validators") or () if type(v).__name__ == "Regexp"]
    if patterns:  # a slug or a code: a value that passes, so the code behind the form runs
        return [next((c for c in PATTERNED if all(p.fullmatch(c) for p in patterns)), "Nguyễn Văn An")]
    if "PhoneNumber" in checks or "phone" in name:
        return ["0912345678"]
    if "CitizenId" in checks:
        return ["001203004567"]
    if issubclass(cls, (wtf.IntegerField, wtf.DecimalField, wtf.FloatField)):
        return ["1"]
    if issubclass(cls, (wtf.DateField, wtf.DateTimeField)):
        return ["2030-01-02"]
    if issubclass(cls, wtf.BooleanField):
        return ["y"]
    if issubclass(cls, wtf.PasswordField):
        return ["mat-khau-123"]
    if "File" in cls.__name__:
        return [None]
    return ["Nguyễn Văn An"]


PATTERNED = ("nguyen-van-an", "ma_cau_hoi", "abc", "0912345678", "1", "ABC")


def well_formed_bodies(form_cls, prefix=""):
    """A body per value of each choice field (the others at their first value), at most 8."""
    fields = [(name, _plain(name, unbound)) for name, unbound in field_names(form_cls, prefix)]
    base = [(name, values[0]) for name, values in fields]
    bodies = [base]
    for index, (name, values) in enumerate(fields):
        for value in values[1:]:
            bodies.append(base[:index] + [(name, value)] + base[index + 1:])
    return [[(n, v) for n, v in body if v is not None] for body in bodies[:8]]


def one_field_mutations(body):
    """The body as is, then each field missing, repeated, and set to each wrong value."""
    yield body
    for index, (name, value) in enumerate(body):
        rest = body[:index] + body[index + 1:]
        yield rest
        yield body + [(name, value)]
        for wrong in WRONG:
            yield rest + [(name, wrong)]
