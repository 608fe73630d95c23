"""Procedure search: accent- and case-insensitive, any word order, partial words, synonyms from data.

The normalised text lives in Procedure.search_name / search_body (see models.py). The rows
are read once per catalog version and kept in memory; ranking is plain Python over ≤ 500
short strings, so it behaves the same on SQLite and PostgreSQL and takes well under 1 ms.
"""
import threading
import time
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app

from ..extensions import db
from .models import ONLINE_KINDS, Field, Procedure, catalog_commits
from .queries import fields_with_counts
from .text import normalise

# Words people add around what they want ("thủ tục … như thế nào"); dropped when other words remain.
FILLER = (
    "thu tuc", "lam the nao", "nhu the nao", "the nao", "lam sao", "o dau", "can nhung gi",
    "can giay to gi", "can gi", "toi muon", "xin hoi", "cho hoi", "muon",
)
MAX_RESULTS = 30  # a phone screen's worth; more words narrow it down
STAMP_TTL = 2.0  # seconds between checks of the catalog version when nothing changed here
_lock = threading.Lock()


@dataclass(frozen=True)
class FieldInfo:
    code: str
    name: str


@dataclass
class Entry:
    """One procedure as search needs it: padded search text, plus what a result line shows."""

    id: int
    name_text: str  # " dang ky khai sinh " (padded, so " tok" finds a word start)
    keyword_text: str  # the rest of search_name: keywords and code
    body_text: str
    popularity: int | None
    length: int
    # Shown in the result list (so a search needs no second query):
    name: str
    slug: str
    field: FieldInfo
    processing_days: int | None
    fee_vnd: int | None
    fee_unit: str
    online_level: str | None
    active: bool = True
    synonyms: frozenset = frozenset()  # each keyword, normalised: typed exactly, it ranks like the name
    all_text: str = ""  # name + keywords + body, for a quick first pass

    def __post_init__(self):
        self.all_text = self.name_text + self.keyword_text + self.body_text

    @property
    def online(self):
        return self.online_level in ONLINE_KINDS


@dataclass
class SearchResult:
    query: str
    terms: list = field(default_factory=list)
    procedures: list = field(default_factory=list)  # the name (or a synonym) matches
    mentions: list = field(default_factory=list)  # only documents, result or legal basis match
    fields: list = field(default_factory=list)  # [(Field, count)] whose name holds every word
    total: int = 0  # matches before the limit
    partial: bool = False  # nothing matched every word: these match most of them

    def __bool__(self):
        return bool(self.procedures or self.mentions or self.fields)


def query_terms(query):
    """The words to look for: normalised, filler dropped (unless nothing else is left)."""
    text = normalise(query)
    padded = f" {text} "
    for phrase in FILLER:
        padded = padded.replace(f" {phrase} ", " ")
    terms = padded.split()
    return terms or text.split()


def procedure_stats():
    """(count, last update, sum of versions) of all procedures: changes with any add, edit or removal."""
    count, latest, versions = db.session.execute(
        sa.select(sa.func.count(Procedure.id), sa.func.max(Procedure.updated_at), sa.func.sum(Procedure.version))
    ).one()
    return count, latest, int(versions or 0)


def catalog_stamp():
    """A hashable version of the procedure rows (what the search cache is keyed on)."""
    count, latest, versions = procedure_stats()
    return (count, latest.isoformat() if latest else "", versions)


def _load_entries():
    rows = db.session.execute(
        sa.select(Procedure.id, Procedure.name, Procedure.search_name, Procedure.search_body,
                  Procedure.popularity, Procedure.slug, Procedure.processing_days, Procedure.fee_vnd,
                  Procedure.fee_unit, Procedure.online_level, Procedure.keywords, Field.code,
                  Field.name.label("field_name"))
        .join(Field, Field.id == Procedure.field_id)
        .where(Procedure.active.is_(True))
    ).all()
    fields = {}
    entries = []
    for row in rows:
        name = normalise(row.name)
        full = row.search_name or name
        keywords = full[len(name):] if full.startswith(name) else full
        field_info = fields.setdefault(row.code, FieldInfo(row.code, row.field_name))
        entries.append(Entry(
            row.id, f" {name} ", f" {keywords} ", f" {row.search_body or ''} ", row.popularity, len(name),
            row.name, row.slug, field_info, row.processing_days, row.fee_vnd, row.fee_unit or "",
            row.online_level, synonyms=frozenset(normalise(k) for k in row.keywords or ()),
        ))
    return entries


def _cache():
    """The search rows and field list for the current catalog version (cached per app and version).

    An edit committed in this process is seen at once; one made by another process (a second
    worker, a CLI load) within STAMP_TTL seconds, when the version is checked again.
    """
    cache = current_app.extensions.setdefault("catalog_search", {})
    now, commits = time.monotonic(), catalog_commits()
    if cache.get("commits") == commits and now - cache.get("checked_at", -STAMP_TTL) < STAMP_TTL:
        return cache
    stamp = catalog_stamp()
    if cache.get("stamp") != stamp:
        with _lock:
            if cache.get("stamp") != stamp:
                cache["entries"] = _load_entries()
                cache["fields"] = [(f, n, f" {normalise(f.name)}") for f, n in fields_with_counts()]
                cache["stamp"] = stamp
    cache["commits"], cache["checked_at"] = commits, now
    return cache


def entries():
    """The search rows of the current catalog version."""
    return _cache()["entries"]


def score(entry, terms, phrase):
    """(words matched, words matched in name or keywords, points).

    A word in the name counts most, in the keywords next, in documents/result least. Words of
    one or two letters must be whole words, except the last one (still being typed).
    """
    matched, in_name, points = 0, 0, 0.0
    last = len(terms) - 1
    for i, term in enumerate(terms):
        whole = f" {term} "
        start = whole if len(term) <= 2 and i < last else f" {term}"
        if whole in entry.name_text:
            points += 12
        elif start in entry.name_text:
            points += 9
        elif start in entry.keyword_text:
            points += 7
        elif start in entry.body_text:
            points += 2
            matched += 1
            continue
        else:
            continue
        matched += 1
        in_name += 1
    if in_name and len(terms) > 1:
        start = f" {phrase}"
        if entry.name_text == f" {phrase} ":
            points += 30
        elif entry.name_text.startswith(start):
            points += 20
        elif start in entry.name_text:
            points += 15
        elif phrase in entry.synonyms:
            points += 18
        elif start in entry.keyword_text:
            points += 10
    elif in_name and entry.name_text == f" {phrase} ":
        points += 30
    elif in_name and phrase in entry.synonyms:
        points += 18
    if entry.popularity:
        points += max(0.0, 5 - entry.popularity * 0.5)
    return matched, in_name, points


def _scored(candidates, terms, phrase):
    scored = []
    for entry in candidates:
        matched, in_name, points = score(entry, terms, phrase)
        if matched:
            scored.append((matched, in_name, points, entry))
    return scored


def rank(all_entries, terms):
    """(entries whose name or keywords hold every matched word, entries found only through
    their documents/result, partial) — each best first.

    Every word must match somewhere; if no procedure has them all, the procedures matching
    the most words are returned with partial=True (none when fewer than half match).
    """
    if not terms:
        return [], [], False
    phrase = " ".join(terms)
    starts = [f" {term}" for term in terms]
    # Quick first pass in C: entries holding every word (the usual case), else any word.
    every = [entry for entry in all_entries if all(start in entry.all_text for start in starts)]
    scored = _scored(every, terms, phrase)
    if not scored or max(item[0] for item in scored) < len(terms):
        some = [entry for entry in all_entries if any(start in entry.all_text for start in starts)]
        scored = _scored(some, terms, phrase)
    if not scored:
        return [], [], False
    best = max(item[0] for item in scored)
    partial = best < len(terms)
    if partial and best * 2 < len(terms):
        return [], [], False
    hits = sorted(
        (item for item in scored if item[0] == best),
        key=lambda item: (-item[2], item[3].length, item[3].name_text),
    )
    by_name = [entry for matched, in_name, _, entry in hits if in_name == matched]
    by_body = [entry for matched, in_name, _, entry in hits if in_name != matched]
    return by_name, by_body, partial


def search(query, limit=MAX_RESULTS):
    """Procedures matching `query`, best first, as Entry rows (name, slug, field, time, fee)."""
    result = SearchResult(query=(query or "").strip()[:200])
    result.terms = query_terms(result.query)
    cache = _cache()
    by_name, by_body, result.partial = rank(cache["entries"], result.terms)
    result.total = len(by_name) + len(by_body)
    result.procedures = by_name[:limit]
    result.mentions = by_body[:max(0, limit - len(result.procedures))]
    if result.terms:
        result.fields = [(f, n) for f, n, text in cache["fields"]
                         if all(f" {term}" in text for term in result.terms)]
    return result
