"""The inbox list: tabs with live counts, filters, search, sort, pages, bulk assign."""
from datetime import timedelta

import sqlalchemy as sa
from flask import flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.permissions import roles_required
from ..catalog.models import Field, Procedure
from ..core.audit import AuditEntry, audit
from ..core.roles import DESK, DISPATCHERS, DOSSIER_READERS, is_in
from ..core.timeutil import utcnow
from ..dossiers.events import EventKind
from ..dossiers.models import CHANNEL_LABELS, Dossier
from ..dossiers.states import LABELS, Status
from ..extensions import db
from ..web import generation
from ..web.converters import db_id
from ..web.htmx import add_vary, render_page_or_fragment
from . import bp, filtering, queries, tabs
from .actions import ACTIONS
from .forms import BulkAssignForm, FilterForm
from .services import assign

LIST_ARGS = ("tab", "q", "field", "procedure", "channel", "assignee", "date_from", "date_to", "sort", "page",
             "figure", "start", "end")


def _int(value):
    try:
        return db_id(value)
    except (TypeError, ValueError):
        return None


def read_filters(form):
    """Filters from the query string; a value that does not parse is ignored, never an error."""
    form.validate()

    def ok(name):
        return None if form[name].errors else form[name].data

    tab = request.args.get("tab", "now")
    return filtering.Filters(
        tab=tab if tab in tabs.TAB_KEYS else "now",
        field_id=_int(ok("field")), procedure_id=_int(ok("procedure")),
        channel=ok("channel") or None, assignee=ok("assignee") or None,
        date_from=ok("date_from"), date_to=ok("date_to"), q=(ok("q") or "").strip(),
        sort=ok("sort") if ok("sort") in queries.SORT_KEYS else "",
        page=max(1, ok("page") or 1),
        figure=ok("figure") or None, start=ok("start"), end=ok("end"),
    )


def _catalog_lists():
    """(fields, procedures) as (id, name) pairs: the catalog's, kept until it changes."""
    fields = db.session.execute(sa.select(Field.id, Field.name).order_by(Field.position, Field.name)).all()
    procedures = db.session.execute(sa.select(Procedure.id, Procedure.name).order_by(Procedure.name)).all()
    return [tuple(f) for f in fields], [tuple(p) for p in procedures]


def _fill_choices(form, staff):
    fields, procedures = generation.kept("inbox_catalog_lists", _catalog_lists)
    form.field.choices = [("", _("Mọi lĩnh vực"))] + [(str(i), n) for i, n in fields]
    form.procedure.choices = [("", _("Mọi thủ tục"))] + [(str(i), n) for i, n in procedures]
    form.assignee.choices = [("", _("Mọi người")), ("me", _("Tôi")), ("none", _("Chưa giao"))] + [
        (str(u.id), u.full_name or u.username) for u in staff]
    form.sort.choices = [("", _("Mặc định"))] + [(k, _(label)) for k, label in queries.SORTS]


def _row_labels():
    """Status and channel labels translated once per page (not once per row)."""

    return {"status": {s.value: _(label) for s, label in LABELS.items()},
            "channel": {k: _(v) for k, v in CHANNEL_LABELS.items()},
            "overdue": _("Quá hạn"), "soon": _("Sắp đến hạn"), "new": _("Mới bổ sung"), "select": _("Chọn hồ sơ")}


def list_url(**changes):
    """The inbox URL with the current query string changed (None removes a key)."""
    args = {k: v for k, v in request.args.items() if k in LIST_ARGS and v}
    args.update(changes)
    return url_for("inbox.index", **{k: v for k, v in args.items() if v not in (None, "")})


@bp.route("/hop-thu")
@roles_required(*DOSSIER_READERS)
def index():
    """The clerk's inbox; htmx gets only the list fragment, everything else the full page."""
    form = FilterForm(formdata=request.args)
    staff = queries.assignable_staff()
    _fill_choices(form, staff)
    filters = filtering.resolve_search(read_filters(form))
    _log_personal_search(filters)
    ctx = tabs.Context()
    counts = tabs.counts(filters, ctx, current_user)
    page = queries.dossier_list(filters, ctx, counts[filters.tab], current_user)
    bulk = BulkAssignForm()
    bulk.assignee.choices = [(u.id, u.full_name or u.username) for u in staff]
    html = render_page_or_fragment(
        "inbox/index.html", "inbox/_list.html",
        form=form, filters=filters, counts=counts, results=page, ctx=ctx, tabs=tabs.TABS,
        due_state=queries.due_state, waiting_age=queries.waiting_age, list_url=list_url, bulk=bulk,
        labels=_row_labels(), can_assign=is_in(current_user, DISPATCHERS),
        can_receive=is_in(current_user, DESK), broad_cap=filtering.BROAD_COUNT_CAP,
    )
    return add_vary(make_response(html))


PERSONAL_SEARCH_DIGITS = 4  # a run of digits this long searches phone and ID numbers
SEARCH_LOG_MERGE_SECONDS = 120  # the live search fires per keystroke: one entry per search, not per key


def _log_personal_search(filters):
    """A search by phone or ID number is an access to personal data: written to the admin's record
    (the digits masked but the last four, with the dossiers it found)."""


    numbers = [t for t in filtering.search_terms(filters.q) if t.isdigit() and len(t) >= PERSONAL_SEARCH_DIGITS]
    if not numbers:
        return
    target = " ".join("*" * (len(n) - 4) + n[-4:] for n in numbers)
    found = filters.match_ids
    digits = sum(len(n) for n in numbers)
    changes = {"matches": len(found) if found is not None else "nhiều", "dossiers": (found or [])[:20],
               "digits": digits}
    since = utcnow() - timedelta(seconds=SEARCH_LOG_MERGE_SECONDS)
    recent = db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.actor_id == current_user.id, AuditEntry.action == "personal_data.search",
        AuditEntry.at >= since).order_by(AuditEntry.id.desc()).limit(1))
    # One more or one fewer digit than the last entry: the same search, typed key by key.
    if recent is not None and abs(int((recent.changes or {}).get("digits") or 0) - digits) == 1:
        recent.target, recent.changes, recent.at = target, changes, utcnow()
    else:
        audit(current_user, "personal_data.search", target, changes)


@bp.route("/hop-thu/giao-viec", methods=["POST"])
@roles_required(*DISPATCHERS)
def bulk_assign():
    """Assign the selected rows; rows changed meanwhile or in a state that forbids it are skipped."""
    form = BulkAssignForm()
    form.assignee.choices = [(u.id, u.full_name) for u in queries.assignable_staff()]
    back = form.back_url(url_for("inbox.index"))
    if not form.validate_on_submit() or not form.ids.data:
        flash(_("Chọn ít nhất một hồ sơ và người xử lý."))
        return redirect(back)
    user = queries.assignable_user(form.assignee.data)
    if user is None:
        flash(_("Chọn một chuyên viên hoặc cán bộ đang làm việc."))
        return redirect(back)
    done, skipped = 0, []
    action = ACTIONS["assign"]
    for dossier in db.session.scalars(sa.select(Dossier).where(Dossier.id.in_(form.ids.data))):
        seen_version = form.seen_version(dossier)
        if (not dossier.can_act(current_user, action)
                or (seen_version is not None and seen_version != str(dossier.version))):
            skipped.append(dossier.display_code)
            continue
        assign(dossier, current_user, user)
        done += 1
    flash(_("Đã giao %(n)s hồ sơ cho %(name)s.", n=done, name=user.full_name))
    if skipped:
        flash(_("Không giao được (đã thay đổi hoặc không ở trạng thái phù hợp): %(codes)s",
                codes=", ".join(skipped)))
    return redirect(back)



@bp.context_processor
def _labels():
    def status_label(value):
        try:
            return _(Status(value).label)
        except ValueError:
            return value or ""

    def kind_label(kind):
        return str(EventKind.of(kind).clerk_label)

    return {"status_label": status_label, "kind_label": kind_label}


