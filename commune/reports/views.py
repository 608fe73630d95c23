"""Figures for leaders: the page, its exports (CSV, Excel) and the printable monthly report."""
from datetime import date

from flask import Response, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.permissions import roles_required
from ..core.audit import audit
from ..core.roles import FIGURE_READERS, REGISTER_READERS, is_in
from ..core.timeutil import local_today
from ..postal.models import FAIL_REASONS
from ..sync.connection import connection as sync_connection
from ..sync.status import synced_dossiers
from . import bp, exports
from .charts import bars_months, month_label, stacked_months
from .drilldown import may_follow, month_url
from .forms import PeriodForm
from .periods import make_period, month_period
from .queries import comparison, compute_figures, fees, register_rows

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period_from_request():
    form = PeriodForm(request.args)
    form.validate()
    period = make_period(form.ky.data or "thang-nay", *form.period_dates())
    return form, period


def _postal_reasons():
    return FAIL_REASONS


def _sees_staff():
    return is_in(current_user, REGISTER_READERS)


def _bar_links(period):
    """month, key, value -> (the inbox list of that bar's dossiers, the link's accessible name),
    or None for readers who may not open the inbox (drilldown.month_url)."""
    if not may_follow():
        return None
    names = {"received": _("Tháng %(month)s: %(n)s hồ sơ tiếp nhận"),
             "early": _("Tháng %(month)s: %(n)s hồ sơ giải quyết sớm hạn"),
             "on_time": _("Tháng %(month)s: %(n)s hồ sơ giải quyết đúng hạn"),
             "late": _("Tháng %(month)s: %(n)s hồ sơ giải quyết trễ hạn")}

    def link(month, key, value):
        return month_url(key, period, month), names[key] % {"month": month_label(month), "n": value}
    return link


def _charts(figures, linked=True):
    """The monthly charts; on screen each bar links to its dossiers (paper has no links)."""
    link = _bar_links(figures.period) if linked else None
    return {
        "resolved": stacked_months(figures.months, _("Hồ sơ đã giải quyết theo tháng"), {
            "early": _("Sớm hạn"), "on_time": _("Đúng hạn"), "late": _("Trễ hạn")}, link=link),
        "received": bars_months(figures.months, "received", _("Hồ sơ tiếp nhận theo tháng"), link=link),
    }


@bp.route("/so-lieu")
@roles_required(*FIGURE_READERS)
def figures():
    """The figures for a period: overall, per field, per procedure, per staff member (leader)."""
    form, period = _period_from_request()
    result = compute_figures(period, with_staff=_sees_staff())
    # Once the sync is on: how many of the period's dossiers the province holds, to compare with
    # its own count ("số hồ sơ đã đồng bộ").
    synced = synced_dossiers(period.start, period.end) if sync_connection().enabled else None
    return render_template("reports/figures.html", form=form, figures=result, charts=_charts(result),
                           compared=comparison(result), synced=synced,
                           sees_staff=_sees_staff(), query=request.args.to_dict(),
                           postal_reasons=_postal_reasons())


def _download(content, filename, mimetype):
    response = Response(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/so-lieu/xuat/<what>.<fmt>")
@roles_required(*FIGURE_READERS)
def export(what, fmt):
    """Download the figures or the dossier register (Form 07) of the period as CSV or Excel."""
    if what not in ("so-lieu", "so-theo-doi") or fmt not in ("csv", "xlsx"):
        abort(404)
    _form, period = _period_from_request()
    stamp = f"{period.start:%Y%m%d}-{period.end:%Y%m%d}"
    if what == "so-lieu":
        headers = exports.FIGURE_HEADERS
        rows = exports.figure_rows(compute_figures(period, with_staff=_sees_staff()))
        title, heading = "So lieu", _("Số liệu giải quyết hồ sơ %(p)s", p=period.label)
    else:
        headers = exports.REGISTER_HEADERS
        rows = exports.register_rows(register_rows(period))
        title, heading = "So theo doi", _("Sổ theo dõi hồ sơ (Mẫu 07) %(p)s", p=period.label)
    filename = f"{what}-{stamp}.{fmt}"
    if what == "so-theo-doi":  # names, phones, addresses of a whole period: written to the admin's record
        rows = list(rows)
        audit(current_user, "personal_data.export", f"register {stamp}", {"format": fmt, "rows": len(rows)})
    if fmt == "csv":
        return _download(exports.to_csv(headers, rows), filename, "text/csv; charset=utf-8")
    return _download(exports.to_xlsx(title, headers, rows, heading), filename, XLSX)


@bp.route("/so-lieu/so-theo-doi/in")
@roles_required(*FIGURE_READERS)
def register_print():
    """The dossier register (Form 07) of the period on A4 landscape, with the signature column."""
    form, period = _period_from_request()
    rows = exports.register_rows(register_rows(period))
    audit(current_user, "personal_data.export", f"register {period.start:%Y%m%d}-{period.end:%Y%m%d}",
          {"format": "print", "rows": len(rows)})
    return render_template("reports/register_print.html", headers=exports.REGISTER_HEADERS, rows=rows,
                           period=period, form=form, printed_on=local_today(), fees=fees(period))


def _recent_months(today, count=12):
    months, year, month = [], today.year, today.month
    for _i in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months


@bp.route("/so-lieu/bao-cao-thang")
@roles_required(*FIGURE_READERS)
def monthly_report():
    """A printable monthly report (the browser prints it; print CSS hides the navigation)."""
    today = local_today()
    choices = _recent_months(today)
    chosen = request.args.get("thang") or choices[1]
    try:
        year, month = (int(x) for x in chosen.split("-"))
        date(year, month, 1)
    except ValueError:
        year, month = today.year, today.month
    period = month_period(year, month)
    result = compute_figures(period, with_staff=_sees_staff())
    # Paper has no links: figure_url=None overrides the context processor's (drilldown.py).
    return render_template("reports/monthly.html", figures=result, charts=_charts(result, linked=False),
                           figure_url=None, months=choices, chosen=f"{year:04d}-{month:02d}", sees_staff=_sees_staff(),
                           printed_on=today, postal_reasons=_postal_reasons())
