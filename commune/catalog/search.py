"""Procedure search: accent- and case-insensitive, any word order, partial words, synonyms from data.

Tolerant of phone typing: words run together or one letter off are mended (spelling.py), and
colloquial sayings are read in the catalog's words (colloquial.py). Each way of reading the
query is ranked and every procedure keeps its best reading; when the words stand together
somewhere (a phrase), procedures holding them only scattered are left out.

The normalised text lives in Procedure.search_name / search_body (see models.py). The rows
are read once per catalog version and kept in memory; ranking is plain Python over ≤ 500
short strings, so it behaves the same on SQLite and PostgreSQL and takes a few milliseconds.
"""
import re
import threading
import time
from dataclasses import dataclass, field, replace

import sqlalchemy as sa

from ..core.kept import app_store, memo
from ..extensions import db
from .colloquial import meanings
from .models import ONLINE_KINDS, Field, Procedure, catalog_commits
from .queries import fields_with_counts
from .spelling import Lexicon
from .text import normalise

# Words people add around what they want ("thủ tục … như thế nào"); dropped when other words remain.
FILLER = (
    "thu tuc", "lam the nao", "nhu the nao", "the nao", "lam sao", "o dau", "can nhung gi",
    "can giay to gi", "can gi", "toi muon", "xin hoi", "cho hoi", "muon",
)
MAX_RESULTS = 30  # a phone screen's worth; more words narrow it down
MENDED_PENALTY = 5.0  # points off a procedure found only through a mended word (a guess)
# How closely a procedure holds the words: as one phrase, one phrase with the last word still
# being typed, in order with at most one word between, or scattered.
PHRASE, PHRASE_TYPING, NEAR, SCATTERED = range(4)
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
    names_text: str = ""  # name + keywords (where a colloquial meaning must be found)
    phrases: tuple = ()  # the name and each keyword, padded: where words may stand together

    def __post_init__(self):
        self.names_text = self.name_text + self.keyword_text
        self.phrases = (self.name_text, *(f" {keyword} " for keyword in sorted(self.synonyms)))
        self.all_text = self.names_text + self.body_text

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
    mended: list = field(default_factory=list)  # the words as mended ("khai sinh" for "khaisinh"), if any

    def __bool__(self):
        return bool(self.procedures or self.mentions or self.fields)


def query_terms(query):
    """The words to look for: normalised, filler dropped (unless nothing else is left)."""
    return _without_filler(normalise(query).split())


def _without_filler(words):
    padded = f" {' '.join(words)} "
    for phrase in FILLER:
        padded = padded.replace(f" {phrase} ", " ")
    return padded.split() or list(words)


@dataclass(frozen=True)
class Reading:
    """One way to read the query: as typed, with unknown words mended, or in the catalog's words."""

    terms: tuple
    order: int = 0  # lower is listed first: a colloquial meaning before the literal words
    penalty: float = 0.0  # points taken off (a mended word is a guess)
    names_only: bool = False  # a meaning counts in names and keywords, not in documents


def readings(terms, lexicon):
    """[Reading] of the query: as typed, mended (when a word is unknown), and each colloquial meaning."""
    if not terms:
        return []
    bases = [Reading(tuple(terms))]
    mended = lexicon.mended(terms)
    if mended:
        bases.append(Reading(tuple(_without_filler(mended)), penalty=MENDED_PENALTY))
    meant = [meanings(base.terms) for base in bases]
    literal_order = max(len(means) for means in meant)
    found = []
    for base, means in zip(bases, meant, strict=True):
        found += [replace(base, terms=tuple(meant_terms), order=i, names_only=True)
                  for i, meant_terms in enumerate(means)]
        found.append(replace(base, order=literal_order))
    return found


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
    cache = app_store("catalog_search")
    now, commits = time.monotonic(), catalog_commits()
    if cache.get("commits") == commits and now - cache.get("checked_at", -STAMP_TTL) < STAMP_TTL:
        return cache
    stamp = catalog_stamp()
    if cache.get("stamp") != stamp:
        with _lock:
            if cache.get("stamp") != stamp:
                cache["entries"] = _load_entries()
                cache["fields"] = [(FieldInfo(f.code, f.name), n, f" {normalise(f.name)}")
                                   for f, n in fields_with_counts()]
                cache["lexicon"] = _lexicon(cache["entries"], cache["fields"])
                cache["stamp"] = stamp
    cache["commits"], cache["checked_at"] = commits, now
    return cache


def _lexicon(all_entries, fields):
    """The catalog's words, to mend what villagers type (names, keywords, field names weigh most)."""
    names = [entry.name_text for entry in all_entries] + [text for _, _, text in fields]
    names += [keyword for entry in all_entries for keyword in entry.synonyms]
    return Lexicon(names, [entry.body_text for entry in all_entries])


def entries():
    """The search rows of the current catalog version."""
    return _cache()["entries"]


def score(entry, terms, phrase, names_only=False):
    """(words matched, words matched in name or keywords, points).

    A word in the name counts most, in the keywords next, in documents/result least (not at
    all when `names_only`). Words of one or two letters must be whole words, except the last
    one (still being typed).
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
        elif not names_only and start in entry.body_text:
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


@memo(maxsize=512)
def _phrase_patterns(terms):
    """Regexes for `terms` side by side, and in order with at most one word between them."""
    last = len(terms) - 1
    words = [re.escape(term) + ("" if len(term) <= 2 and i < last else "[a-z0-9]*") for i, term in enumerate(terms)]
    return (re.compile(" " + " ".join(words) + "(?= )"),
            re.compile(" " + "(?: [a-z0-9]+)? ".join(words) + "(?= )"))


def closeness(texts, terms):
    """PHRASE, PHRASE_TYPING, NEAR or SCATTERED: how closely one of `texts` holds every word.

    One word found is a phrase, whole or still being typed ("kha" is on its way to "khai").
    """
    exact = f" {' '.join(terms)} "
    if len(terms) == 1 or any(exact in text for text in texts):
        return PHRASE
    together, near = _phrase_patterns(tuple(terms))
    if any(together.search(text) for text in texts):
        return PHRASE_TYPING
    if any(near.search(text) for text in texts):
        return NEAR
    return SCATTERED


@dataclass
class Hit:
    """A procedure as one reading of the query found it."""

    entry: Entry
    reading: Reading
    share: float  # of the reading's words matched
    by_name: bool  # every matched word is in the name or keywords
    points: float
    closeness: int = SCATTERED

    @property
    def complete(self):
        return self.share == 1

    def strength(self):
        return (self.complete, self.share, self.by_name, -self.reading.order, self.points - self.reading.penalty)

    def order_key(self):
        return (self.reading.order, -(self.points - self.reading.penalty), self.entry.length, self.entry.name_text)


def _hits(all_entries, reading):
    """Hits of one reading: those with every word (the usual case), else those with any word."""
    terms = reading.terms
    phrase = " ".join(terms)
    starts = [f" {term}" for term in terms]
    text = (lambda entry: entry.names_text) if reading.names_only else (lambda entry: entry.all_text)

    def scored(candidates):
        hits = []
        for entry in candidates:
            matched, in_name, points = score(entry, terms, phrase, reading.names_only)
            if matched:
                hits.append(Hit(entry, reading, matched / len(terms), in_name == matched, points))
        return hits

    # Quick first pass in C: entries holding every word, else any word.
    hits = scored([entry for entry in all_entries if all(start in text(entry) for start in starts)])
    if not any(hit.complete for hit in hits):
        hits = scored([entry for entry in all_entries if any(start in text(entry) for start in starts)])
    for hit in hits:
        if hit.complete:
            where = hit.entry.phrases if hit.by_name else (hit.entry.body_text,)
            hit.closeness = closeness(where, terms)
    return hits


def rank(all_entries, query_readings):
    """(entries whose name or keywords hold every word, entries found only through their
    documents/result, partial) — each best first. A plain list of words is read as typed.

    Every word must match somewhere; if no procedure has them all, the procedures matching
    the most words are returned with partial=True (none when fewer than half match). Broad
    words must not drown the answer: when some names hold the words as a phrase (or nearly),
    names holding them only scattered are left out; documents count only at their closest, and
    not at all when scattered and some name matches.
    """
    if query_readings and isinstance(query_readings[0], str):
        query_readings = [Reading(tuple(query_readings))]
    best = {}
    for reading in query_readings:
        for hit in _hits(all_entries, reading):
            known = best.get(hit.entry.id)
            if known is None or hit.strength() > known.strength():
                best[hit.entry.id] = hit
    hits = list(best.values())
    complete = [hit for hit in hits if hit.complete]
    if complete:
        partial = False
        names = [hit for hit in complete if hit.by_name]
        body = [hit for hit in complete if not hit.by_name]
        if any(hit.closeness < SCATTERED for hit in names):
            names = [hit for hit in names if hit.closeness < SCATTERED]
        if body:
            closest = min(hit.closeness for hit in body)
            body = [] if names and closest == SCATTERED else [hit for hit in body if hit.closeness == closest]
    else:
        top = max((hit.share for hit in hits), default=0)
        if top < 0.5:
            return [], [], False
        partial = True
        names = [hit for hit in hits if hit.share == top and hit.by_name]
        body = [hit for hit in hits if hit.share == top and not hit.by_name]
    return ([hit.entry for hit in sorted(names, key=Hit.order_key)],
            [hit.entry for hit in sorted(body, key=Hit.order_key)], partial)


def search(query, limit=MAX_RESULTS):
    """Procedures matching `query`, best first, as Entry rows (name, slug, field, time, fee)."""
    result = SearchResult(query=(query or "").strip()[:200])
    result.terms = query_terms(result.query)
    cache = _cache()
    query_readings = readings(result.terms, cache["lexicon"])
    result.mended = next((list(r.terms) for r in query_readings if r.penalty and not r.names_only), [])
    by_name, by_body, result.partial = rank(cache["entries"], query_readings)
    result.total = len(by_name) + len(by_body)
    result.procedures = by_name[:limit]
    result.mentions = by_body[:max(0, limit - len(result.procedures))]
    for terms in filter(None, (result.terms, result.mended)):
        result.fields = [(f, n) for f, n, text in cache["fields"] if all(f" {term}" in text for term in terms)]
        if result.fields:
            break
    return result
