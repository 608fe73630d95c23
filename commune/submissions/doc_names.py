"""A document's official name in one short line (the photo step's headings; the full name stays behind <details>)."""
import re

from . import bp

SHORT_MAX = 60
# Where an official name's first clause ends: an aside in brackets, a dash, a list or a condition.
_CLAUSE_END = re.compile(r"\s*(?:\(|—|–|:|;| gồm\b| theo mẫu\b| \(nếu)")


@bp.app_template_filter("short_doc_name")
def short_doc_name(name):
    """The name's first clause, at most SHORT_MAX characters (cut at a word, with …)."""
    name = (name or "").strip()
    match = _CLAUSE_END.search(name, 8)
    short = name[:match.start()].rstrip(" ,.") if match else name
    if len(short) > SHORT_MAX:
        short = short[:SHORT_MAX].rsplit(" ", 1)[0].rstrip(" ,.;:") + "…"
    return short or name[:SHORT_MAX]
