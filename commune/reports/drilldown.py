"""From a figure to the dossiers behind it: each figure the reports count is a filter of the inbox
list (inbox/filtering.FIGURES), written with the very SQL pieces the counting uses (counting.py), so
the list shows exactly the dossiers the figure counted.

A percentage links to the dossiers of its numerator (the on-time rate to the early and on-time ones).
"""
from datetime import date, timedelta

import sqlalchemy as sa
from flask import url_for
from flask_login import current_user

from ..core.i18n import N_
from ..core.roles import DOSSIER_READERS, is_in
from ..dossiers.models import CHANNEL_COUNTER, CHANNEL_ONLINE, CHANNEL_POST, Dossier
from ..dossiers.states import Status
from ..inbox.filtering import register_figure
from ..payments.models import DESK, TRANSFER, Payment
from ..payments.queries import NOT_OWED, OWES_A_FEE
from ..postal.models import ACTION_FAILED, ACTION_RETURNED, DeliveryAction, ManifestItem
from ..postal.states import ItemState
from ..tracking.models import Rating
from . import bp
from .counting import arrived_between, finished_between, open_before, open_overdue, promised_date, submitted, timing
from .periods import Period


def _arrived(channel=None):
    def condition(start, end, _today):
        return sa.and_(submitted(), arrived_between(start, end), *([Dossier.channel == channel] if channel else []))
    return condition


def _finished(status, timings=None):
    def condition(start, end, _today):
        return sa.and_(submitted(), finished_between(start, end), Dossier.status == status.value,
                       *([timing().in_(timings)] if timings else []))
    return condition


def _open(which):
    def condition(_start, end, today):
        overdue = open_overdue(today)
        extra = {"all": sa.true(), "overdue": overdue,
                 "within_time": sa.or_(sa.not_(overdue), promised_date().is_(None))}[which]
        return sa.and_(open_before(end), extra)
    return condition


def _rated(score=None):
    def condition(start, end, _today):
        ratings = sa.select(Rating.dossier_id).where(Rating.created_at >= start, Rating.created_at < end,
                                                     *([Rating.score == score] if score else []))
        return Dossier.id.in_(ratings)
    return condition


def _timed():
    """The resolved dossiers the average processing time is taken over (they have a receipt date)."""
    resolved = _finished(Status.RETURNED)

    def condition(start, end, today):
        return sa.and_(resolved(start, end, today), Dossier.received_at.isnot(None))
    return condition


def _helped(which):
    """Arrived in the period and submitted for someone, or with no phone at all (reports/helped.py)."""
    arrived = _arrived()
    extra = {"helped": Dossier.helper_name != "",
             "no_phone": sa.and_(Dossier.applicant_phone == "", Dossier.helper_phone == "")}[which]

    def condition(start, end, today):
        return sa.and_(arrived(start, end, today), extra)
    return condition


def _fees_due(start, end, _today):
    """The dossiers whose fees make "fees due" (payments/queries.fee_figures): arrived, owing a fee."""
    return sa.and_(OWES_A_FEE, Dossier.status.notin_(NOT_OWED), arrived_between(start, end))


def _paid(channel):
    """The dossiers whose fee was paid in the period by transfer or at the desk (fee_figures)."""
    def condition(start, end, _today):
        when = sa.func.coalesce(Payment.paid_on, Payment.recorded_at)
        return Dossier.id.in_(sa.select(Payment.dossier_id).where(Payment.channel == channel, when >= start,
                                                                   when < end))
    return condition


def _posted(which):
    """The dossiers of the post's items handed over / delivered in the period (postal_figures);
    "carrier_cash": delivered with the fee collected at the door."""
    def condition(start, end, _today):
        item = ManifestItem
        if which == "handed":
            items = sa.select(item.dossier_id).where(item.handed_at >= start, item.handed_at < end)
        else:
            items = sa.select(item.dossier_id).where(item.state == ItemState.DELIVERED, item.delivered_at >= start,
                                                     item.delivered_at < end)
            if which == "carrier_cash":
                items = items.where(item.fee_collected_vnd > 0)
        return Dossier.id.in_(items)
    return condition


def _attempted(kind):
    """The dossiers of the post's items with a failed attempt / a return to the office in the period
    (postal_figures counts the attempts; a dossier tried three times is listed once)."""
    def condition(start, end, _today):
        action = DeliveryAction
        items = (sa.select(ManifestItem.dossier_id).join(action, action.item_id == ManifestItem.id)
                 .where(action.kind == kind, action.at >= start, action.at < end))
        return Dossier.id.in_(items)
    return condition


# key -> (label msgid, condition); the keys are the Counts attributes (queries.py) where there is one.
FIGURES = {
    "received": (N_("Hồ sơ tiếp nhận"), _arrived()),
    "online": (N_("Tiếp nhận trực tuyến"), _arrived(CHANNEL_ONLINE)),
    "counter": (N_("Tiếp nhận tại quầy"), _arrived(CHANNEL_COUNTER)),
    "post": (N_("Tiếp nhận qua bưu chính"), _arrived(CHANNEL_POST)),
    "resolved": (N_("Đã giải quyết"), _finished(Status.RETURNED)),
    "early": (N_("Sớm hạn"), _finished(Status.RETURNED, (1,))),
    "on_time": (N_("Đúng hạn"), _finished(Status.RETURNED, (2,))),
    "in_time": (N_("Sớm hạn và đúng hạn"), _finished(Status.RETURNED, (1, 2))),
    "late": (N_("Trễ hạn"), _finished(Status.RETURNED, (3,))),
    "refused": (N_("Từ chối"), _finished(Status.REFUSED)),
    "withdrawn": (N_("Rút"), _finished(Status.WITHDRAWN)),
    "in_progress": (N_("Đang xử lý"), _open("all")),
    "within_time": (N_("Đang xử lý trong hạn"), _open("within_time")),
    "overdue": (N_("Đang xử lý quá hạn"), _open("overdue")),
    "rated": (N_("Đã đánh giá"), _rated()),
    "satisfied": (N_("Hài lòng"), _rated("satisfied")),
    "neutral": (N_("Bình thường"), _rated("neutral")),
    "unsatisfied": (N_("Không hài lòng"), _rated("unsatisfied")),
    "timed": (N_("Thời gian xử lý trung bình"), _timed()),
    "helped": (N_("Hồ sơ nộp thay"), _helped("helped")),
    "no_phone": (N_("Hồ sơ không có số điện thoại (chỉ mở bằng mã tra cứu)"), _helped("no_phone")),
    "postal_handed": (N_("Đã giao cho bưu điện"), _posted("handed")),
    "postal_delivered": (N_("Đã phát thành công"), _posted("delivered")),
    "postal_failed": (N_("Lần phát không thành công"), _attempted(ACTION_FAILED)),
    "postal_returned": (N_("Chuyển trả về bộ phận một cửa"), _attempted(ACTION_RETURNED)),
    "fees_due": (N_("Lệ phí phải thu (hồ sơ tiếp nhận trong kỳ)"), _fees_due),
    "fees_transfer": (N_("Chuyển khoản"), _paid(TRANSFER)),
    "fees_desk": (N_("Tiền mặt tại quầy"), _paid(DESK)),
    "fees_carrier": (N_("Tiền mặt cho bưu tá"), _posted("carrier_cash")),
}
for _key, (_label, _condition) in FIGURES.items():
    register_figure(_key, _label, _condition)

# The comparison's rows (queries.comparison, by their label): the dossiers behind each.
COMPARISON_FIGURES = {"Hồ sơ tiếp nhận": "received", "Tỷ lệ đúng hạn": "in_time", "Trễ hạn (đã giải quyết)": "late",
                      "Đang xử lý quá hạn": "overdue", "Tỷ lệ nộp trực tuyến": "online", "Mức độ hài lòng": "satisfied"}

# A table row's key (queries._rollup) as the inbox filter it means.
DIMENSIONS = {"field": "field", "procedure": "procedure", "staff": "assignee"}


def figure_url(key, period, dimension=None, row_key=None):
    """The inbox list of the dossiers behind figure `key` for `period` (and one table row)."""
    args = {"tab": "all", "figure": key, "start": period.start.isoformat(), "end": period.end.isoformat()}
    if dimension:
        if row_key is None and dimension != "staff":
            return None  # a row without a field or procedure: nothing to filter by
        args[DIMENSIONS[dimension]] = "none" if row_key is None else row_key
    return url_for("inbox.index", **args)


def month_url(key, period, month):
    """The inbox list of the dossiers behind one month's bar of the charts: figure `key` for the part
    of `month` ('YYYY-MM') inside `period`, as the bars are counted (queries._pieces)."""
    first = date.fromisoformat(f"{month}-01")
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return figure_url(key, Period(max(first, period.start), min(last, period.end)))


def may_follow():
    """May the current reader follow a figure to its dossiers (open the inbox)?"""
    return is_in(current_user, DOSSIER_READERS)


@bp.context_processor
def _figure_links():
    """figure_url() for the figures' templates, for those who may open the inbox."""
    return {"figure_url": figure_url if may_follow() else None,
            "comparison_figures": COMPARISON_FIGURES}
