"""What a dossier is found by in the clerk's inbox: its accent-free text, in the database's own
full-text index.

`Dossier.search_text` holds the folded code, name, phone and ID number and, for each number of
four digits or more, its digits reversed behind an "s" ("0912345678" also as "s8765432190"), so
a number's last digits find it too: "5678" asks for words starting "5678" or "s8765". Codes
never hold an "s" (dossiers/codes.ALPHABET) and names hold no digits, so the mark is unambiguous.

- SQLite: an FTS5 table over that column (`unicode61 remove_diacritics 2`, prefix indexes of two
  and three characters), kept in step by triggers on `dossiers`: every write, bulk statements
  included, updates the index in its own transaction.
- PostgreSQL: a stored generated column `search_vector` = to_tsvector('simple', search_text) with
  a GIN index, asked with prefix queries ("nguyen:* & 5678:*"); the database computes it in the
  row's own write, so it is never out of step.

Every term must start a word of the same dossier ("nguyen thi dung" finds Nguyễn Thị Dung).
With `whole=True` the words typed before the last, when they are letters, must be whole words
("nguyen thi dung" then leaves out Nguyễn Thịnh Dung): the inbox asks that way first and as word
starts only when it finds nothing (inbox/filtering.resolve_search). A name typed in full is the
usual search, and whole words are what an index answers quickly: at a million dossiers "thi:*"
unites the postings of every word starting "thi" before intersecting (BENCHMARKS.md).
"""
import re
import unicodedata

import sqlalchemy as sa
import sqlalchemy.dialects.postgresql  # noqa: F401  registers to_tsquery's types for PostgreSQL
from sqlalchemy import DDL, event

from ..extensions import db, expression_indexes, unmodelled_columns, unmodelled_tables
from .models import Dossier

TERM_LENGTH = 40
MIN_SUFFIX = 3  # the fewest last digits of a number that find it
REVERSED_MARK = "s"
_NOT_TERM = re.compile(r"[^a-z0-9]")

FTS_TABLE = "dossier_fts"
unmodelled_tables.add(FTS_TABLE)  # the virtual table and its shadow tables are not models
_SQLITE_DDL = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(search_text, content='dossiers', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2', prefix='2 3')",
    f"CREATE TRIGGER {FTS_TABLE}_insert AFTER INSERT ON dossiers BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END",
    f"CREATE TRIGGER {FTS_TABLE}_delete AFTER DELETE ON dossiers BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
    f"CREATE TRIGGER {FTS_TABLE}_update AFTER UPDATE OF search_text ON dossiers BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END",
)
_SQLITE_DROP = (f"DROP TRIGGER IF EXISTS {FTS_TABLE}_insert", f"DROP TRIGGER IF EXISTS {FTS_TABLE}_delete",
                f"DROP TRIGGER IF EXISTS {FTS_TABLE}_update", f"DROP TABLE IF EXISTS {FTS_TABLE}")

for _statement in _SQLITE_DDL:
    event.listen(Dossier.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in _SQLITE_DROP:
    event.listen(Dossier.__table__, "before_drop", DDL(_statement).execute_if(dialect="sqlite"))

# PostgreSQL keeps each dossier's vector in a stored generated column beside search_text, so a
# query that tests rows (walking the list's own index, or rechecking a bitmap) reads it instead of
# parsing the text of every row again (three times faster at a million: BENCHMARKS.md). The column
# is not a model attribute (SQLite has no tsvector): made by DDL, left out of the comparison.
VECTOR_COLUMN = "search_vector"
VECTOR_DEFINITION = "tsvector GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED"
unmodelled_columns.add(("dossiers", VECTOR_COLUMN))
expression_indexes.add("ix_dossiers_search_vector")
_POSTGRES_DDL = (
    f"ALTER TABLE dossiers ADD COLUMN {VECTOR_COLUMN} {VECTOR_DEFINITION}",
    f"CREATE INDEX ix_dossiers_search_vector ON dossiers USING gin ({VECTOR_COLUMN})",
)
for _statement in _POSTGRES_DDL:
    event.listen(Dossier.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql"))
SEARCH_VECTOR = sa.literal_column(f"dossiers.{VECTOR_COLUMN}")

_fts = sa.table(FTS_TABLE, sa.column("rowid"), sa.column(FTS_TABLE))


def fold(text):
    """Lower case without Vietnamese accents (đ -> d): how search text is stored and searched."""
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def index_text(folded):
    """A folded text with each long number also written reversed (see the module's docstring)."""
    words = [w for w in folded.split() if not (w.startswith(REVERSED_MARK) and w[1:].isdigit())]
    reversed_numbers = [REVERSED_MARK + w[::-1] for w in words if w.isdigit() and len(w) > MIN_SUFFIX]
    return " ".join(words + reversed_numbers)


def search_text(dossier):
    """The text a dossier is found by: name, phone, ID number, code (folded), numbers reversed; and the
    name and phone of whoever submitted it for the applicant ("nộp thay")."""
    return index_text(" ".join([fold(part) for part in (dossier.applicant_name, dossier.applicant_phone,
                                                          dossier.applicant_id_number, dossier.code,
                                                          dossier.helper_name, dossier.helper_phone) if part]
                               + official_code_words(getattr(dossier, "official_code", None))))


def official_code_words(code):
    """The official code (000.21.33.H56-261201-0007) as the clerk types it: whole, or its day and
    number (261201-0007); each without its dots and dashes, as search terms are."""
    if not code:
        return []
    agency, _, tail = code.rpartition("-")
    day = agency.rpartition("-")[2]
    return [clean_term(code), clean_term(day + tail)]


def clean_term(text):
    """A typed search word as the index holds words: folded, only [a-z0-9]."""
    return _NOT_TERM.sub("", fold(text))[:TERM_LENGTH]


def _alternatives(term):
    """The word starts that match a typed term: itself, and a number's reversed last digits."""
    starts = [term]
    if term.isdigit() and len(term) >= MIN_SUFFIX:
        starts.append(REVERSED_MARK + term[::-1])
    return starts


def _whole_words(terms, whole):
    """For each term, whether it must be a whole word: with `whole`, the letter words before the last."""
    return [whole and index < len(terms) - 1 and not term.isdigit() for index, term in enumerate(terms)]


def has_earlier_words(terms):
    """Whether asking with whole=True differs from asking by word starts."""
    return any(_whole_words(_terms(terms), True))


def _sqlite_query(terms, whole=False):
    # Terms hold only [a-z0-9], so quoting them is enough to keep FTS5's syntax out.
    return " AND ".join(f'"{t}"' if exact else "(" + " OR ".join(f'"{start}"*' for start in _alternatives(t)) + ")"
                        for t, exact in zip(terms, _whole_words(terms, whole), strict=True))


def _postgres_query(terms, whole=False):
    return " & ".join(t if exact else "(" + " | ".join(f"{start}:*" for start in _alternatives(t)) + ")"
                      for t, exact in zip(terms, _whole_words(terms, whole), strict=True))


def _terms(terms):
    return [term for term in (clean_term(t) for t in terms) if term]


def _tsquery(terms, whole):
    return sa.func.to_tsquery(sa.literal_column("'simple'"), _postgres_query(terms, whole))


def _postgres_match(terms, whole, vector=SEARCH_VECTOR):
    return vector.op("@@")(_tsquery(terms, whole))


def _is_sqlite():
    return db.session.get_bind().dialect.name == "sqlite"


def matching_ids(terms, whole=False):
    """SELECT of the ids of the dossiers in which every term starts a word (a number: or ends one)."""
    terms = _terms(terms)
    if not terms:
        return sa.select(Dossier.id).where(sa.false())
    if _is_sqlite():
        return sa.select(_fts.c.rowid).where(_fts.c[FTS_TABLE].op("MATCH")(_sqlite_query(terms, whole)))
    return sa.select(Dossier.id).where(_postgres_match(terms, whole))


def has_words(terms, dossier_id, whole=False):
    """WHERE conditions that the dossier whose id is the column `dossier_id` matches every term."""
    terms = _terms(terms)
    if not terms:
        return [sa.false()]
    if _is_sqlite():
        # "+ 0": the matches are a set to test against, not where to start: SQLite then walks the
        # index of the list's own order and stops at the page, instead of sorting every match.
        return [(dossier_id + 0).in_(matching_ids(terms, whole))]
    return [_postgres_match(terms, whole)]


def driven_by_matches(statement, terms, whole=False):
    """`statement` (a select from dossiers) joined to the index's matches, so that a LIMIT stops
    reading them early (SQLite: the FTS table drives the join; PostgreSQL: the GIN condition)."""
    terms = _terms(terms)
    if not terms:
        return statement.where(sa.false())
    if _is_sqlite():
        return statement.join(_fts, _fts.c.rowid == Dossier.id).where(
            _fts.c[FTS_TABLE].op("MATCH")(_sqlite_query(terms, whole)))
    return statement.where(*has_words(terms, Dossier.id, whole))


WALK_BUDGET = 20_000  # rows a newest-first walk reads before it gives the list back to the index


def walked_matches(conditions, order_key, terms, whole, limit, offset, budget=WALK_BUDGET):
    """PostgreSQL, a search matching thousands: the ids of one page of the dossiers under
    `conditions` newest first by `order_key` (then id), read by walking that order's index and
    testing each row's stored vector, no further than `budget` rows. None when that walk does
    not fill the page (the matches are rarer than that in the newest rows), and on SQLite (its
    FTS join already stops at the page): the caller then asks the index as usual.

    A GIN index answers "which dossiers" but not "which newest": for "tran van" (39,000 matches)
    the planner reads and sorts them all (0.4 s at a million); the walk stops at the page."""
    terms = _terms(terms)
    if not terms or _is_sqlite() or offset + limit > budget:
        return None
    walk = (sa.select(Dossier.id, order_key.label("walk_key"), SEARCH_VECTOR.label("walk_vector"))
            .where(*conditions).order_by(order_key.desc().nulls_last(), Dossier.id.desc())
            .limit(budget).subquery())
    ids = db.session.scalars(
        sa.select(walk.c.id).where(_postgres_match(terms, whole, walk.c.walk_vector))
        .order_by(walk.c.walk_key.desc().nulls_last(), walk.c.id.desc()).limit(limit).offset(offset)).all()
    return ids if len(ids) == limit else None


def rebuild_index(connection=None):
    """Rebuild SQLite's full-text index from the dossiers (after a restore of an old file, or by hand);
    PostgreSQL's index is always complete."""
    connection = connection or db.session.connection()
    if connection.dialect.name == "sqlite":
        connection.execute(sa.text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')"))
