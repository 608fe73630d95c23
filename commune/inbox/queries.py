"""Read-only selects for the inbox: tabs, live counts, filters, search, sort, pagination.

Counts come from two small aggregate queries that the composite indexes on
dossiers (status, due_date) / (status, submitted_at) answer without reading rows.
"""
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa

from ..accounts.models import User
from ..catalog.models import Procedure
from ..core.calendar import OFFICE_HOURS, WorkingCalendar, working_seconds_between
from ..core.roles import CLERK, OFFICER
from ..core.timeutil import LOCAL_TZ, local_today, utcnow
from ..dossiers.codes import display
from ..dossiers.events import EventKind
from ..dossiers.models import RESULT_BY_POST, Dossier, DossierEvent
from ..dossiers.search import driven_by_matches, fold, has_earlier_words, has_words, matching_ids, walked_matches
from ..dossiers.states import BADGES, Status
from ..extensions import db
from ..web import generation
from ..web.converters import DB_INT_MAX
from . import count_cache

generation.watch("commune.core.calendar")  # the working calendar's days: kept per generation token

PER_PAGE = 50
DUE_SOON_DAYS = 2  # "due within 2 working days"

# A dossier waiting to be received (submitted) shows how long it has waited, in office hours on
# working days (core/calendar.py: OFFICE_HOURS, 07:30–11:30 and 13:30–17:00, i.e. 7.5 h a day).
# Its row turns amber after half a morning's worth of waiting and red after one whole working day.
WAIT_AMBER_HOURS = 4
WAIT_RED_HOURS = sum(closes.hour + closes.minute / 60 - opens.hour - opens.minute / 60
                     for opens, closes in OFFICE_HOURS)  # one working day: 7.5

# The clock runs only while the office holds the dossier.
RUNNING = (Status.RECEIVED, Status.PROCESSING)

# Tab key -> label (msgid). "now" is the default: what needs the clerk now.
TABS = (
    ("now", "Cần xử lý ngay"),
    ("waiting", "Chờ tiếp nhận"),
    ("processing", "Đang xử lý"),
    ("supplement", "Chờ bổ sung"),
    ("due_soon", "Sắp đến hạn"),
    ("overdue", "Quá hạn"),
    ("ready", "Có kết quả"),
    ("returned", "Đã trả"),
    ("closed", "Từ chối / rút"),
    ("all", "Tất cả"),
)
TAB_KEYS = tuple(key for key, _ in TABS)
SORTS = (
    ("urgent", "Khẩn nhất trước"),
    ("due", "Hạn trả sớm nhất"),
    ("received", "Tiếp nhận mới nhất"),
    ("submitted", "Nộp mới nhất"),
)
SORT_KEYS = tuple(key for key, _ in SORTS)


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


class Context:
    """Now, today and the 'due soon' limit, computed once per request with the working calendar."""

    def __init__(self, today=None, calendar=None, now=None):
        self.now = now or utcnow()
        self.today = today or local_today(self.now)
        self.calendar = calendar = calendar or generation.kept("working_calendar", WorkingCalendar.load)
        start = self.today if calendar.is_working_day(self.today) else calendar.next_working_day(self.today)
        self.soon = calendar.add_working_days(start, DUE_SOON_DAYS)


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


def _urgent_running(ctx):
    return sa.or_(Dossier.due_date <= ctx.soon, Dossier.has_new_supplement.is_(True))


def tab_condition(tab, ctx):
    """The WHERE condition of one tab."""
    status = Dossier.status
    if tab == "now":
        # The leading IN lets the database answer from the (status, due_date, …) index alone.
        return sa.and_(status.in_((Status.SUBMITTED,) + RUNNING + (Status.READY,)), sa.or_(
            status == Status.SUBMITTED,
            sa.and_(status.in_(RUNNING), _urgent_running(ctx)),
            sa.and_(status == Status.READY, Dossier.result_method == RESULT_BY_POST),
        ))
    if tab == "waiting":
        return status == Status.SUBMITTED
    if tab == "processing":
        return status.in_(RUNNING)
    if tab == "supplement":
        return status == Status.NEEDS_SUPPLEMENT
    if tab == "due_soon":
        return sa.and_(status.in_(RUNNING), Dossier.due_date >= ctx.today, Dossier.due_date <= ctx.soon)
    if tab == "overdue":
        return sa.and_(status.in_(RUNNING), Dossier.due_date < ctx.today)
    if tab == "ready":
        return status.in_((Status.READY, Status.DELIVERING))
    if tab == "returned":
        return status == Status.RETURNED
    if tab == "closed":
        return status.in_((Status.REFUSED, Status.WITHDRAWN))
    return sa.true()


def _counts_by_status(conditions):
    """{status: number}. Unfiltered, the biggest group (returned) is the total minus the others:
    SQLite counts a whole table from its b-tree pages, far faster than walking 90 000 index entries."""
    if len(conditions) > 1:  # filters or a search: count what matches
        return dict(db.session.execute(
            sa.select(Dossier.status, sa.func.count()).where(*conditions).group_by(Dossier.status)).all())
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Dossier))
    others = [s.value for s in Status if s not in (Status.RETURNED, Status.DRAFT)]
    by_status = dict(db.session.execute(
        sa.select(Dossier.status, sa.func.count()).where(Dossier.status.in_(others + [Status.DRAFT]))
        .group_by(Dossier.status)).all())
    drafts = by_status.pop(Status.DRAFT, 0)
    by_status[Status.RETURNED] = total - drafts - sum(by_status.values())
    return by_status


def counts(filters, ctx, user=None):
    """{tab: number} for every tab, with the same filters and search as the list.

    A search too broad to list by id ("nguyen": a third of the register) would count tens of
    thousands of rows per tab: only the open tab is counted, and no further than BROAD_COUNT_CAP + 1
    (shown as "hơn 1.000"); the other tabs show no number (None)."""
    if filters.broad:
        return {key: (_broad_count(filters, ctx, user) if key == filters.tab else None) for key in TAB_KEYS}
    conditions = filter_conditions(filters, user)
    unfiltered = len(conditions) == 1  # drafts left out, nothing else: the same for every clerk
    key = (ctx.today, ctx.soon)
    if unfiltered and (kept := count_cache.get(key)) is not None:
        return kept
    read_version = count_cache.version()
    by_status = _counts_by_status(conditions)
    late = sa.and_(Dossier.status.in_(RUNNING), Dossier.due_date < ctx.today)
    soon = sa.and_(Dossier.status.in_(RUNNING), Dossier.due_date >= ctx.today, Dossier.due_date <= ctx.soon)
    urgent = sa.or_(sa.and_(Dossier.status.in_(RUNNING), _urgent_running(ctx)),
                    sa.and_(Dossier.status == Status.READY, Dossier.result_method == RESULT_BY_POST))
    row = db.session.execute(
        sa.select(
            sa.func.count().filter(late),
            sa.func.count().filter(soon),
            sa.func.count().filter(urgent),
        ).where(*conditions, Dossier.status.in_(RUNNING + (Status.READY,)))
    ).one()
    n = {s: by_status.get(s.value, 0) for s in Status}
    result = {
        "now": n[Status.SUBMITTED] + row[2],
        "waiting": n[Status.SUBMITTED],
        "processing": n[Status.RECEIVED] + n[Status.PROCESSING],
        "supplement": n[Status.NEEDS_SUPPLEMENT],
        "due_soon": row[1],
        "overdue": row[0],
        "ready": n[Status.READY] + n[Status.DELIVERING],
        "returned": n[Status.RETURNED],
        "closed": n[Status.REFUSED] + n[Status.WITHDRAWN],
        "all": sum(by_status.values()),
    }
    if unfiltered:
        count_cache.put(key, read_version, result)
    return result


def _capped_count(statement):
    return db.session.scalar(sa.select(sa.func.count()).select_from(
        statement.limit(BROAD_COUNT_CAP + 1).subquery()))


def _broad_count(filters, ctx, user):
    """The open tab's matches of a broad search, no further than BROAD_COUNT_CAP + 1.

    The hits resolve_search() already read often hold more than the cap within the tab ("nguyen"
    in "Tất cả"): counted by id, without asking the full-text index again (on PostgreSQL a common
    word's GIN bitmap costs a quarter of a second at a million dossiers). Otherwise the count is
    driven by the index's matches and stops after BROAD_COUNT_CAP + 1 of them."""
    conditions = [*filter_conditions(filters, user, search=False), tab_condition(filters.tab, ctx)]
    if filters.first_matches:
        seen = _capped_count(sa.select(Dossier.id).where(*conditions, Dossier.id.in_(sa.bindparam(
            "first_matches", filters.first_matches, expanding=True, literal_execute=True))))
        if seen > BROAD_COUNT_CAP:
            return seen
    return _capped_count(driven_by_matches(sa.select(Dossier.id), search_terms(filters.q),
                                           filters.whole_words).where(*conditions))


def default_sort(tab):
    return {"now": "urgent", "waiting": "submitted", "returned": "received", "closed": "submitted",
            "all": "submitted"}.get(tab, "due")


def order_by(sort, ctx):
    """ORDER BY for a sort key; 'urgent' puts overdue, then due soon, then new supplements first."""
    if sort == "urgent":
        urgency = sa.case(
            (sa.and_(Dossier.status.in_(RUNNING), Dossier.due_date < ctx.today), 0),
            (sa.and_(Dossier.status.in_(RUNNING), Dossier.due_date <= ctx.soon), 1),
            (Dossier.has_new_supplement.is_(True), 2),
            (Dossier.status == Status.SUBMITTED, 3),
            else_=4,
        )
        return (urgency, Dossier.due_date.asc(), Dossier.submitted_at.asc(), Dossier.id)
    if sort == "received":
        return (Dossier.received_at.desc().nulls_last(), Dossier.id.desc())
    if sort == "submitted":
        return (Dossier.submitted_at.desc().nulls_last(), Dossier.id.desc())
    # Plain ASC (not NULLS LAST) so SQLite can walk the (status, due_date) index.
    return (Dossier.due_date.asc(), Dossier.submitted_at.asc(), Dossier.id)


@dataclass
class Page:
    rows: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self):
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self):
        return self.page > 1

    @property
    def has_next(self):
        return self.page < self.pages


@dataclass(frozen=True, slots=True)
class Row:
    """What one line of the list shows: plain values read in one query (fifty ORM objects with
    their procedure and assignee cost more than the query)."""

    id: int
    code: str
    status: str
    channel: str
    applicant_name: str
    applicant_phone: str
    due_date: object
    submitted_at: object
    has_new_supplement: bool
    version: int
    procedure_name: str
    assignee_name: str

    @property
    def display_code(self):
        return display(self.code)

    @property
    def status_badge(self):
        return BADGES[Status(self.status)]


_ROW_COLUMNS = (Dossier.id, Dossier.code, Dossier.status, Dossier.channel, Dossier.applicant_name,
                Dossier.applicant_phone, Dossier.due_date, Dossier.submitted_at, Dossier.has_new_supplement,
                Dossier.version, Procedure.name, sa.func.coalesce(sa.func.nullif(User.full_name, ""), User.username))


_NEWEST_FIRST = {"submitted": Dossier.submitted_at, "received": Dossier.received_at}  # as order_by() sorts


def dossier_list(filters, ctx, total, user=None, per_page=PER_PAGE):
    """One page of the tab's dossiers, as Row values (with the procedure's and assignee's names)."""
    sort = filters.sort if filters.sort in SORT_KEYS else default_sort(filters.tab)
    page = max(1, min(filters.page, max(1, -(-total // per_page))))
    # Two steps: the page's ids from the indexes alone (cheap even deep in the list), then those rows.
    ids = None
    if filters.broad and sort in _NEWEST_FIRST:
        ids = walked_matches([*filter_conditions(filters, user, search=False), tab_condition(filters.tab, ctx)],
                             _NEWEST_FIRST[sort], search_terms(filters.q), filters.whole_words,
                             per_page, (page - 1) * per_page)
    if ids is None:
        ids = db.session.scalars(
            sa.select(Dossier.id)
            .where(*filter_conditions(filters, user), tab_condition(filters.tab, ctx))
            .order_by(*order_by(sort, ctx))
            .limit(per_page).offset((page - 1) * per_page)).all()
    by_id = {}
    if ids:
        stmt = (sa.select(*_ROW_COLUMNS)
                .outerjoin(Procedure, Procedure.id == Dossier.procedure_id)
                .outerjoin(User, User.id == Dossier.assignee_id)
                .where(Dossier.id.in_(ids)))
        for values in db.session.execute(stmt):
            row = Row(*values[:10], values[10] or "", values[11] or "")
            by_id[row.id] = row
    rows = [by_id[i] for i in ids if i in by_id]
    return Page(rows=rows, total=total, page=page, per_page=per_page)


def due_state(dossier, ctx):
    """'overdue', 'soon' or '' for a row's due-date colour (only while the clock runs)."""
    if dossier.status not in RUNNING or dossier.due_date is None:
        return ""
    if dossier.due_date < ctx.today:
        return "overdue"
    if dossier.due_date <= ctx.soon:
        return "soon"
    return ""


@dataclass(frozen=True)
class Waiting:
    """How long a submitted dossier has waited to be received, in office hours on working days."""

    seconds: int
    state: str  # '', 'long' (amber) or 'late' (red)

    @property
    def hours(self):
        return self.seconds // 3600

    @property
    def minutes(self):
        return self.seconds // 60

    @property
    def tone(self):
        """The badge colour (templates/_macros/ui.html badge) for the state."""
        return {"long": "amber", "late": "red"}.get(self.state, "grey")


def waiting_age(dossier, ctx):
    """The wait of a dossier not yet received (None for any other status)."""
    if dossier.status != Status.SUBMITTED or dossier.submitted_at is None:
        return None
    seconds = working_seconds_between(ctx.calendar, dossier.submitted_at, ctx.now)
    state = "late" if seconds >= WAIT_RED_HOURS * 3600 else "long" if seconds >= WAIT_AMBER_HOURS * 3600 else ""
    return Waiting(seconds, state)


def assignable_staff():
    """Active officers and clerks a dossier can be assigned to."""

    return db.session.scalars(
        sa.select(User).where(User.active.is_(True), User.role.in_((OFFICER, CLERK)))
        .order_by(User.role.desc(), User.full_name)).all()


def assignable_user(user_id):
    """The active officer or clerk with this id, or None."""

    return db.session.scalar(sa.select(User).where(
        User.id == user_id, User.active.is_(True), User.role.in_((OFFICER, CLERK))))


def events_since(dossier, seen_event_id):
    """Events written after the one the clerk last saw (what changed under them)."""
    return db.session.scalars(
        sa.select(DossierEvent).where(DossierEvent.dossier_id == dossier.id,
                                      DossierEvent.id > (seen_event_id or 0),
                                      DossierEvent.kind != EventKind.DOCUMENT_VIEW)
        .order_by(DossierEvent.id)).all()


def last_event_id(dossier):
    return db.session.scalar(
        sa.select(sa.func.max(DossierEvent.id)).where(DossierEvent.dossier_id == dossier.id)) or 0
