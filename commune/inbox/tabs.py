"""The inbox's tabs: what each one holds, and the live count of every tab.

Counts come from two small aggregate queries that the composite indexes on
dossiers (status, due_date) / (status, submitted_at) answer without reading rows.
"""
import sqlalchemy as sa

from ..core.calendar import WorkingCalendar
from ..core.timeutil import local_today, utcnow
from ..dossiers.models import RESULT_BY_POST, Dossier
from ..dossiers.search import driven_by_matches
from ..dossiers.states import Status
from ..extensions import db
from ..web import generation
from . import count_cache
from .filtering import BROAD_COUNT_CAP, filter_conditions, search_terms

generation.watch("commune.core.calendar")  # the working calendar's days: kept per generation token

DUE_SOON_DAYS = 2  # "due within 2 working days"

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


class Context:
    """Now, today and the 'due soon' limit, computed once per request with the working calendar."""

    def __init__(self, today=None, calendar=None, now=None):
        self.now = now or utcnow()
        self.today = today or local_today(self.now)
        self.calendar = calendar = calendar or generation.kept("working_calendar", WorkingCalendar.load)
        start = self.today if calendar.is_working_day(self.today) else calendar.next_working_day(self.today)
        self.soon = calendar.add_working_days(start, DUE_SOON_DAYS)


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
