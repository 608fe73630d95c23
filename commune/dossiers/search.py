"""What a dossier is found by in the clerk's inbox: its accent-free text and an index of its words.

`Dossier.search_text` holds the folded code, name, phone and ID number. Each word of it is also a
row of `dossier_search_terms`, so a search for the start of a word ("nguyen", "huong", "0912",
"k7qm") reads a range of one index instead of scanning every dossier with LIKE '%…%'. Numbers
(phone, citizen ID) are indexed reversed as well, so their last digits find them too ("5678").

A flush listener keeps the rows true whenever search_text changes through the ORM session;
`rebuild_terms()` fills them for rows written by bulk statements (the migration, the benchmarks).
"""
import re
import unicodedata

import sqlalchemy as sa
from sqlalchemy import orm

from ..extensions import db
from .models import Dossier

FORWARD, REVERSED = 0, 1
TERM_LENGTH = 40
MIN_SUFFIX = 3  # the fewest last digits of a number that find it
_NOT_TERM = re.compile(r"[^a-z0-9]")


class DossierSearchTerm(db.Model):
    """One word of a dossier's search text (kind 0), or a number's digits reversed (kind 1)."""

    __tablename__ = "dossier_search_terms"

    kind = db.Column(db.SmallInteger, primary_key=True)
    term = db.Column(db.String(TERM_LENGTH), primary_key=True)
    dossier_id = db.Column(db.Integer, db.ForeignKey("dossiers.id", ondelete="CASCADE"), primary_key=True)

    # The primary key finds the dossiers with a word in a range; this one, a given dossier's words
    # (checking a search's other words, and deleting a dossier's rows).
    __table_args__ = (db.Index("ix_dossier_search_terms_dossier", "dossier_id", "kind", "term"),)


def fold(text):
    """Lower case without Vietnamese accents (đ -> d): how search text is stored and searched."""
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def search_text(dossier):
    """The folded text a dossier is found by: name, phone, ID number, code."""
    return " ".join(fold(part) for part in (dossier.applicant_name, dossier.applicant_phone,
                                             dossier.applicant_id_number, dossier.code) if part)


def terms_of(text):
    """{(kind, term)} for a stored search text."""
    terms = set()
    for word in (text or "").split():
        term = clean_term(word)
        if not term:
            continue
        terms.add((FORWARD, term))
        if term.isdigit() and len(term) > MIN_SUFFIX:
            terms.add((REVERSED, term[::-1]))
    return terms


def clean_term(text):
    """A typed search word as the index holds words: folded, only [a-z0-9]."""
    return _NOT_TERM.sub("", fold(text))[:TERM_LENGTH]


def _starts_with(table, kind, prefix):
    # A range, not LIKE: it reads one stretch of an index on SQLite and PostgreSQL alike, under
    # any collation (terms hold only [a-z0-9], and none sorts after 'z').
    return sa.and_(table.kind == kind, table.term >= prefix,
                   table.term <= prefix + "z" * (TERM_LENGTH - len(prefix)))


def _word_matches(table, term):
    condition = _starts_with(table, FORWARD, term)
    if term.isdigit() and len(term) >= MIN_SUFFIX:
        condition = sa.or_(condition, _starts_with(table, REVERSED, term[::-1]))
    return condition


def _spread(term, cap):
    """How many index rows a term's range holds, counting no further than `cap`."""
    rows = sa.select(DossierSearchTerm.dossier_id).where(_word_matches(DossierSearchTerm, term)).limit(cap)
    return db.session.scalar(sa.select(sa.func.count()).select_from(rows.subquery()))


def _rarest_first(terms, cap=10_000):
    """The terms with the one that matches fewest index rows first. Longer words are tried first
    (usually rarer); each count stops at the best so far, so a common word costs little."""
    best, best_count = None, cap + 1
    for term in sorted(terms, key=len, reverse=True):
        count = _spread(term, best_count)
        if count < best_count:
            best, best_count = term, count
    best = best or terms[0]
    return [best] + [term for term in terms if term is not best]


def matching_ids(terms):
    """SELECT of the ids of dossiers in which every term starts a word (a number: or ends one);
    an id may come more than once (a number matching forwards and backwards).

    The rarest term reads its range of the (kind, term) index; each other term is checked per
    candidate through the (dossier_id, kind, term) index, so "nguyen thi dung" costs about as
    much as its rarest word, not its most common one."""
    terms = [term for term in (clean_term(t) for t in terms) if term]
    if len(terms) > 1:
        terms = _rarest_first(terms)
    first = DossierSearchTerm
    statement = sa.select(first.dossier_id).where(_word_matches(first, terms[0]) if terms else sa.false())
    for term in terms[1:]:
        other = orm.aliased(DossierSearchTerm)
        statement = statement.where(sa.exists().where(other.dossier_id == first.dossier_id,
                                                      _word_matches(other, term)))
    return statement


def has_words(terms, dossier_id):
    """Conditions that dossier `dossier_id` (a column) has a word for every term, checked through
    its own rows of the (dossier_id, kind, term) index: for queries that walk the dossiers'
    indexes and meet many matches (a common word), where reading every match first costs more."""
    conditions = []
    for term in (clean_term(t) for t in terms):
        if term:
            row = orm.aliased(DossierSearchTerm)
            conditions.append(sa.exists().where(row.dossier_id == dossier_id, _word_matches(row, term)))
    return conditions or [sa.false()]


def _rows(dossier_id, text):
    return [{"kind": kind, "term": term, "dossier_id": dossier_id} for kind, term in sorted(terms_of(text))]


@sa.event.listens_for(orm.Session, "after_flush")
def _index_changed_dossiers(session, _context):
    changed = [obj for obj in list(session.new) + list(session.dirty)
               if isinstance(obj, Dossier) and sa.inspect(obj).attrs.search_text.history.has_changes()]
    if not changed:
        return
    connection = session.connection()
    ids = [obj.id for obj in changed]
    connection.execute(sa.delete(DossierSearchTerm).where(DossierSearchTerm.dossier_id.in_(ids)))
    rows = [row for obj in changed for row in _rows(obj.id, obj.search_text)]
    if rows:
        connection.execute(sa.insert(DossierSearchTerm), rows)


def rebuild_terms(connection=None, batch=5000):
    """Index every dossier's search text afresh (after bulk inserts that bypass the session)."""
    connection = connection or db.session.connection()
    connection.execute(sa.delete(DossierSearchTerm))
    last = 0
    while True:
        chunk = connection.execute(sa.select(Dossier.id, Dossier.search_text).where(Dossier.id > last)
                                   .order_by(Dossier.id).limit(batch)).all()
        if not chunk:
            return
        rows = [row for dossier_id, text in chunk for row in _rows(dossier_id, text)]
        if rows:
            connection.execute(sa.insert(DossierSearchTerm), rows)
        last = chunk[-1][0]
