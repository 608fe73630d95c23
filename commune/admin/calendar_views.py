"""The working calendar: national holidays (named in the visitor's language), the admin's extra days off and make-up
days, the cut-off, and the confirmation of each year's Tết days."""
from datetime import date

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..core.calendar import CalendarDay, national_holidays, tet_confirmed, tet_days
from ..core.forms import ButtonForm
from ..core.timeutil import local_today
from ..extensions import db
from . import bp, services
from .forms import CalendarDayForm, CutoffForm


def _unconfirmed_tet(years):
    """(year, first day, last day) of each Tết in `years` still ahead whose days are the holidays
    package's guess: the admin neither confirmed them nor marked days of their own around them
    (a Tết already over needs no confirming)."""
    today = local_today()
    return [(year, days[0], days[-1]) for year in years
            if (days := tet_days(year)) and days[-1] >= today and not tet_confirmed(year)]


def _page(day_form=None, cutoff_form=None, status=200):
    year = local_today().year
    years = (year, year + 1)
    rows = db.session.scalars(sa.select(CalendarDay).where(CalendarDay.day >= date(year - 1, 1, 1))
                              .order_by(CalendarDay.day)).all()
    cutoff_form = cutoff_form or CutoffForm(cutoff=services.current_settings()["cutoff"])
    return render_template("admin/calendar.html", holidays=sorted(national_holidays(list(years)).items()),
                           rows=rows, day_form=day_form or CalendarDayForm(), cutoff_form=cutoff_form,
                           confirm=ButtonForm(), years=years, unconfirmed_tet=_unconfirmed_tet(years)), status


@bp.route("/lich")
def calendar():
    """Holidays for this year and next, the admin's marks, and the cut-off time."""
    return _page()


@bp.route("/lich/ngay", methods=["POST"])
def add_calendar_day():
    """Add an extra day off or a make-up working day."""
    form = CalendarDayForm()
    if not form.validate_on_submit():
        return _page(day_form=form, status=400)
    services.add_calendar_day(current_user, form.day.data, form.kind.data, form.note.data)
    flash(_("Đã lưu ngày %(d)s.", d=form.day.data.strftime("%d/%m/%Y")))
    return redirect(url_for("admin.calendar"))


@bp.route("/lich/ngay/<day>/xoa", methods=["POST"])
def remove_calendar_day(day):
    """Remove the admin's mark on a day."""
    try:
        row = db.session.get(CalendarDay, date.fromisoformat(day))
    except ValueError:
        row = None
    if row is None:
        abort(404)
    if ButtonForm().validate_on_submit():
        services.remove_calendar_day(current_user, row)
        flash(_("Đã xóa."))
    return redirect(url_for("admin.calendar"))


@bp.route("/lich/gio-chot", methods=["POST"])
def set_cutoff():
    """Save the daily cut-off time (dossiers received later count from the next working day)."""
    form = CutoffForm()
    if not form.validate_on_submit():
        return _page(cutoff_form=form, status=400)
    services.save_settings(current_user, {"cutoff": form.cutoff.data})
    flash(_("Đã lưu giờ chốt."))
    return redirect(url_for("admin.calendar"))


@bp.route("/lich/tet/<int:year>/xac-nhan", methods=["POST"])
def confirm_tet(year):
    """The admin confirms this year's Tết days off as the calendar shows them."""
    this_year = local_today().year
    if year not in (this_year, this_year + 1) or not tet_days(year):
        abort(404)
    if ButtonForm().validate_on_submit():
        services.confirm_tet(current_user, year)
        flash(_("Đã xác nhận lịch nghỉ Tết Nguyên Đán %(year)s.", year=year))
    return redirect(url_for("admin.calendar"))
