"""Accent-free, lowercase text for search: what a villager types without Vietnamese accents."""
import re
import unicodedata

_D = str.maketrans({"đ": "d", "Đ": "d"})
_WORD = re.compile(r"[a-z0-9]+")


def normalise(text):
    """'Đăng ký  KHAI SINH!' -> 'dang ky khai sinh' (NFC or NFD input alike)."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.translate(_D).lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_WORD.findall(plain.translate(_D)))


def name_text(procedure):
    """What ranks first: the name, the keywords kept in data (synonyms, old names) and the code."""
    parts = [procedure.name, *(procedure.keywords or [])]
    if procedure.code:
        parts += [procedure.code, procedure.code.replace(".", "")]
    return " ".join(filter(None, (normalise(p) for p in parts)))


def body_text(procedure, skip=()):
    """What ranks below the name: required documents, the result, who may submit, legal basis."""
    parts = [d.name for d in procedure.documents if d not in skip]
    parts += [procedure.result, procedure.eligible_submitters, *(procedure.legal_basis or [])]
    return " ".join(filter(None, (normalise(p) for p in parts)))
