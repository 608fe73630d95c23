"""Read-only selects for the inbox: the list (sort, pagination, its rows), the rows' due and
waiting states, the staff to assign, and a dossier's latest events.

The tabs and their counts are in tabs.py; the filters and the search in filtering.py.
"""
from dataclasses import dataclass

import sqlalchemy as sa

from ..accounts.models import User
from ..catalog.models import Procedure
from ..core.calendar import OFFICE_HOURS, working_seconds_between
from ..core.roles import CLERK, OFFICER
from ..dossiers.codes import display
from ..dossiers.events import EventKind
from ..dossiers.models import Dossier, DossierEvent
from ..dossiers.search import walked_matches
from ..dossiers.states import BADGES, Status
from ..extensions import db
from .filtering import filter_conditions, search_terms
from .tabs import RUNNING, tab_condition

PER_PAGE = 50

# A dossier waiting to be received (submitted) shows how long it has waited, in office hours on
# working days (core/calendar.py: OFFICE_HOURS, 07:30–11:30 and 13:30–17:00, i.e. 7.5 h a day).
# Its row turns amber after half a morning's worth of waiting and red after one whole working day.
WAIT_AMBER_HOURS = 4
WAIT_RED_HOURS = sum(closes.hour + closes.minute / 60 - opens.hour - opens.minute / 60
                     for opens, closes in OFFICE_HOURS)  # one working day: 7.5

SORTS = (
    ("urgent", "Khẩn nhất trước"),
    ("due", "Hạn trả sớm nhất"),
    ("received", "Tiếp nhận mới nhất"),
    ("submitted", "Nộp mới nhất"),
)
SORT_KEYS = tuple(key for key, _ in SORTS)


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
