"""A procedure's own questions (Procedure.form_fields) as data: the kinds there are, the entries
that are well formed. The submission forms are built from these; the dossier keeps them in its
snapshot."""
import re

FIELD_TYPES = ("text", "textarea", "date", "number", "choice", "yesno")
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,40}$")


def choice_pairs(spec):
    """[(value, label)] from a field's `choices` (strings, or [value, label] pairs)."""
    pairs = []
    for choice in spec.get("choices") or []:
        if isinstance(choice, (list, tuple)) and len(choice) == 2:
            pairs.append((str(choice[0]), str(choice[1])))
        else:
            pairs.append((str(choice), str(choice)))
    return pairs


def usable_fields(schema):
    """The well-formed entries of a form_fields list (a bad entry is skipped, never a 500)."""
    seen, fields = set(), []
    for spec in schema or []:
        if not isinstance(spec, dict):
            continue
        name, kind = spec.get("name"), spec.get("type", "text")
        if not isinstance(name, str) or not _NAME_RE.match(name) or name in seen or kind not in FIELD_TYPES:
            continue
        if kind == "choice" and not choice_pairs(spec):
            continue
        seen.add(name)
        fields.append(spec)
    return fields
