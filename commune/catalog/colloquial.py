"""How villagers say it, mapped to the catalog's words ("sổ đỏ" -> "quyền sử dụng đất").

The list is data (data/colloquial.json), folded like the search text, read once per process.
"""
import json
from pathlib import Path

from ..core.kept import memo
from .text import normalise

DATA_PATH = Path(__file__).parent / "data" / "colloquial.json"


@memo(maxsize=4)
def phrase_book(path=DATA_PATH):
    """[(said, (meaning, …))], said and meanings folded; longest saying first (so "bố mẹ chết"
    is read before "mẹ chết")."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    book = []
    for item in data["phrases"]:
        means = tuple(dict.fromkeys(filter(None, (normalise(m) for m in item["means"]))))
        book += [(said, means) for said in filter(None, (normalise(s) for s in item["say"]))]
    return tuple(sorted(book, key=lambda pair: -len(pair[0].split())))


def meanings(terms, book=None):
    """The query read in the catalog's words: one list of terms per meaning, best first.

    ["bo", "me", "chet"] -> [["khai", "tu"]]; ["sua", "so", "do"] -> [["sua", "giay", …], …].
    A saying counts only as whole words; none found -> [].
    """
    padded = f" {' '.join(terms)} "
    for said, means in book or phrase_book():
        if f" {said} " in padded:
            return [padded.replace(f" {said} ", f" {meaning} ", 1).split() for meaning in means]
    return []
