"""What a dossier is found by in the clerk's inbox: its accent-free text, in the database's own
full-text index.

`Dossier.search_text` holds the folded code, name, phone and ID number and, for each number of
four digits or more, its digits reversed behind an "s" ("0912345678" also as "s8765432190"), so
a number's last digits find it too: "5678" asks for words starting "5678" or "s8765". Codes
never hold an "s" (dossiers/codes.ALPHABET) and names hold no digits, so the mark is unambiguous.

- SQLite: an FTS5 table over that column (`unicode61 remove_diacritics 2`, prefix indexes of two
  and three characters), kept in step by triggers on `dossiers`: every write, bulk statements
  included, updates the index in its own transaction.
- PostgreSQL: a GIN index on to_tsvector('simple', search_text), asked with prefix queries
  ("nguyen:* & 5678:*"); the vector is part of the row, so it is never out of step.

Every term must start a word of the same dossier ("nguyen thi dung" finds Nguyễn Thị Dung).
"""
import re
import unicodedata

import sqlalchemy as sa
import sqlalchemy.dialects.postgresql  # noqa: F401  registers to_tsvector's types before SEARCH_VECTOR is built
from sqlalchemy import DDL, event

from ..extensions import db, expression_indexes, unmodelled_tables
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
SQLITE_TRIGGERS = (f"{FTS_TABLE}_insert", f"{FTS_TABLE}_delete", f"{FTS_TABLE}_update")

for _statement in _SQLITE_DDL:
    event.listen(Dossier.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in _SQLITE_DROP:
    event.listen(Dossier.__table__, "before_drop", DDL(_statement).execute_if(dialect="sqlite"))

# The literal 'simple' (not a bound parameter), so the planner sees the index's own expression.
SEARCH_VECTOR = sa.func.to_tsvector(sa.text("'simple'"), Dossier.search_text)
expression_indexes.add("ix_dossiers_search_vector")
db.Index("ix_dossiers_search_vector", SEARCH_VECTOR, postgresql_using="gin",
         info={"only_on": "postgresql"}).ddl_if(dialect="postgresql")

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


def _sqlite_query(terms):
    # Terms hold only [a-z0-9], so quoting them is enough to keep FTS5's syntax out.
    return " AND ".join("(" + " OR ".join(f'"{start}"*' for start in _alternatives(t)) + ")" for t in terms)


def _postgres_query(terms):
    return " & ".join("(" + " | ".join(f"{start}:*" for start in _alternatives(t)) + ")" for t in terms)


def _terms(terms):
    return [term for term in (clean_term(t) for t in terms) if term]


def _is_sqlite():
    return db.session.get_bind().dialect.name == "sqlite"


def matching_ids(terms):
    """SELECT of the ids of the dossiers in which every term starts a word (a number: or ends one)."""
    terms = _terms(terms)
    if not terms:
        return sa.select(Dossier.id).where(sa.false())
    if _is_sqlite():
        return sa.select(_fts.c.rowid).where(_fts.c[FTS_TABLE].op("MATCH")(_sqlite_query(terms)))
    return sa.select(Dossier.id).where(SEARCH_VECTOR.op("@@")(sa.func.to_tsquery(
        sa.literal_column("'simple'"), _postgres_query(terms))))


def has_words(terms, dossier_id):
    """WHERE conditions that the dossier whose id is the column `dossier_id` matches every term."""
    terms = _terms(terms)
    if not terms:
        return [sa.false()]
    if _is_sqlite():
        # "+ 0": the matches are a set to test against, not where to start: SQLite then walks the
        # index of the list's own order and stops at the page, instead of sorting every match.
        return [(dossier_id + 0).in_(matching_ids(terms))]
    return [SEARCH_VECTOR.op("@@")(sa.func.to_tsquery(sa.literal_column("'simple'"), _postgres_query(terms)))]


def driven_by_matches(statement, terms):
    """`statement` (a select from dossiers) joined to the index's matches, so that a LIMIT stops
    reading them early (SQLite: the FTS table drives the join; PostgreSQL: the GIN condition)."""
    terms = _terms(terms)
    if not terms:
        return statement.where(sa.false())
    if _is_sqlite():
        return statement.join(_fts, _fts.c.rowid == Dossier.id).where(
            _fts.c[FTS_TABLE].op("MATCH")(_sqlite_query(terms)))
    return statement.where(*has_words(terms, Dossier.id))


def rebuild_index(connection=None):
    """Rebuild SQLite's full-text index from the dossiers (after a restore of an old file, or by hand);
    PostgreSQL's index is always complete."""
    connection = connection or db.session.connection()
    if connection.dialect.name == "sqlite":
        connection.execute(sa.text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')"))
