"""What the clerk narrows the inbox list by: the filters, the search, a report's figure.

`Filters` is read from the query string; `filter_conditions()` turns it into the WHERE conditions
shared by the list (queries.py) and the tabs' counts (tabs.py). A search's dossiers are found
once through the full-text index (`resolve_search()`), then read by id.
"""
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa

from ..catalog.models import Procedure
from ..core.timeutil import LOCAL_TZ, local_today
from ..dossiers.models import Dossier
from ..dossiers.search import fold, has_earlier_words, has_words, matching_ids, walked_matches
from ..dossiers.states import Status
from ..extensions import db
from ..web.converters import DB_INT_MAX

MIN_LETTERS, MIN_DIGITS = 2, 3


@dataclass(frozen=True)
class Figure:
    """A set of dossiers the list can show: one figure of the reports, for a period of local days.
    `condition(start_utc, end_utc, today)` is the WHERE condition the figure is counted with."""

    label: str  # msgid
    condition: object


# The figures the list can be filtered by (?figure=<key>&start=<day>&end=<day>), registered by the
# feature that counts them (reports/drilldown.py), so that the list shows exactly the dossiers counted.
FIGURES = {}


def register_figure(key, label, condition):
    FIGURES[key] = Figure(label, condition)


def _narrows(term):
    """Long enough to narrow the list: two characters, or three digits (every phone starts with 0)."""
    return len(term) >= (MIN_DIGITS if term.isdigit() else MIN_LETTERS)


def search_terms(query):
    """Split what the clerk typed into folded terms; '0912 345 678' or 'K7QM-X2PD' stay whole.
    A search of only lone letters or one or two digits is no search: it would match most of the
    register. Beside a longer word, a lone letter narrows as usual ("nguyen v")."""
    folded = fold(query).strip()
    if not folded:
        return []
    joined = "".join(ch for ch in folded if ch.isalnum())
    if joined and len(folded.split()) > 1 and all(not ch.isalpha() for ch in joined):
        return [joined] if _narrows(joined) else []  # a phone or ID number typed with spaces
    terms = ["".join(ch for ch in term if ch.isalnum()) or term for term in folded.split()]
    return terms if any(_narrows(term) for term in terms) else []


@dataclass
class Filters:
    """What the clerk chose: tab, filters, search, sort, page (all from the query string)."""

    tab: str = "now"
    field_id: int | None = None
    procedure_id: int | None = None
    channel: str | None = None
    assignee: str | None = None  # a user id, "me" or "none"
    date_from: object = None  # local dates, on submitted_at
    date_to: object = None
    q: str = ""
    sort: str = ""
    page: int = 1
    figure: str | None = None  # a key of FIGURES: the dossiers behind one figure of the reports...
    start: object = None  # ...counted for these local days (both needed)
    end: object = None
    match_ids: list | None = None  # set by resolve_search(): the search's hits, found once
    broad: bool = False  # set by resolve_search(): the search matches more than MAX_MATCHES
    first_matches: list | None = None  # set by resolve_search() when broad: the first hits it read
    whole_words: bool = False  # set by resolve_search(): the words before the last are whole words

    @property
    def figure_filter(self):
        """The figure the list is filtered by, or None."""
        if self.figure in FIGURES and self.start and self.end:
            return FIGURES[self.figure]
        return None

    @property
    def search_too_short(self):
        """Something was typed, but nothing long enough to search by."""
        return bool(self.q.strip()) and not search_terms(self.q)


MAX_MATCHES = 2000
# A search matching more than MAX_MATCHES counts its tab only this far (_list.html: "hơn 1.000").
BROAD_COUNT_CAP = 1000


def resolve_search(filters):
    """Find the search's dossiers once, through the full-text index (dossiers/search.py), so the
    counts and the list read them by id; a search matching very many keeps the subquery instead."""
    terms = search_terms(filters.q)
    if terms:
        # The words before the last as whole words first ("nguyen thi dung": Thị, not Thịnh), as
        # word starts when that finds nothing ("ng thi dung"). No DISTINCT: each dossier is one
        # row of the index, and a LIMIT can then stop early.
        ids = []
        if has_earlier_words(terms):
            ids = _first_matches(terms, whole=True)
            filters.whole_words = bool(ids)
        if not ids:
            ids = _first_matches(terms, whole=False)
        filters.match_ids = ids if len(ids) <= MAX_MATCHES else None
        filters.broad = filters.match_ids is None
        filters.first_matches = ids if filters.broad else None
    return filters


# A word in a third of the register ("nguyen") fills MAX_MATCHES within the newest few thousand rows.
DETECT_BUDGET = 3 * (MAX_MATCHES + 1)


def _first_matches(terms, whole):
    """Up to MAX_MATCHES + 1 ids of dossiers matching the terms. PostgreSQL first walks the newest
    DETECT_BUDGET rows (a few ms), which a very common word fills: its GIN bitmap would hold
    every match before the LIMIT (0.3 s for "nguyen" at a million dossiers)."""
    ids = walked_matches([Dossier.status != Status.DRAFT], Dossier.submitted_at, terms, whole,
                         MAX_MATCHES + 1, 0, budget=DETECT_BUDGET)
    if ids is not None:
        return ids
    return db.session.scalars(matching_ids(terms, whole).limit(MAX_MATCHES + 1)).all()


def _utc_bound(day, end=False):
    local = datetime.combine(day + timedelta(days=1) if end else day, time(0), tzinfo=LOCAL_TZ)
    return local.astimezone(UTC).replace(tzinfo=None)


def filter_conditions(filters, user=None, search=True):
    """WHERE conditions for everything but the tab (shared by the list and the counts).

    A search with too many matches to list by id is a condition on the full-text index; with
    `search=False` it is left out, for a query that joins the index itself (driven_by_matches)."""
    conditions = [Dossier.status != Status.DRAFT]
    if filters.procedure_id:
        conditions.append(Dossier.procedure_id == filters.procedure_id)
    elif filters.field_id:
        conditions.append(Dossier.procedure_id.in_(
            sa.select(Procedure.id).where(Procedure.field_id == filters.field_id)))
    if filters.channel:
        conditions.append(Dossier.channel == filters.channel)
    if filters.assignee == "none":
        conditions.append(Dossier.assignee_id.is_(None))
    elif filters.assignee == "me" and user is not None:
        conditions.append(Dossier.assignee_id == user.id)
    elif filters.assignee and str(filters.assignee).isdecimal() and int(filters.assignee) <= DB_INT_MAX:
        conditions.append(Dossier.assignee_id == int(filters.assignee))
    if filters.date_from:
        conditions.append(Dossier.submitted_at >= _utc_bound(filters.date_from))
    if filters.date_to:
        conditions.append(Dossier.submitted_at < _utc_bound(filters.date_to, end=True))
    if figure := filters.figure_filter:
        conditions.append(figure.condition(_utc_bound(filters.start), _utc_bound(filters.end, end=True),
                                           local_today()))
    if filters.match_ids is not None:
        # Written into the SQL (they are integers read from the database): PostgreSQL plans a
        # list of literals several times faster than as many bound parameters.
        conditions.append(Dossier.id.in_(sa.bindparam("match_ids", filters.match_ids, expanding=True,
                                                      literal_execute=True)))
    elif search and (terms := search_terms(filters.q)):
        conditions.extend(has_words(terms, Dossier.id, filters.whole_words))
    return conditions
