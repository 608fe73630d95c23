"""`flask reports store`: count and store closed months ahead of the leaders (nightly from cron)."""
from datetime import timedelta

import click
import sqlalchemy as sa

from ..core.calendar import WorkingCalendar
from ..core.timeutil import local_today
from ..extensions import db
from . import bp, month_cache
from .models import ReportMonth
from .periods import Period
from .queries import grouped_counts


@bp.cli.command("store")
@click.option("--months", default=24, show_default=True, help="How many past months to keep stored")
@click.option("--recount", is_flag=True, help="Make every stored month stale first (after a repair by raw SQL)")
def store_command(months, recount):
    """Count every closed month not yet stored (or made stale by a change) and store it."""
    if recount:
        month_cache.clear_all()
        db.session.commit()
    today = local_today()
    last = today.replace(day=1) - timedelta(days=1)
    if not month_cache.storable(last, today):  # on the 1st, last month is not closed for a day yet
        last = last.replace(day=1) - timedelta(days=1)
    first = last.replace(day=1)
    for _i in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    calendar = WorkingCalendar.load()
    grouped_counts(Period(first, last), calendar, today)
    db.session.rollback()
    stored = db.session.scalar(sa.select(sa.func.count()).select_from(ReportMonth).where(
        ReportMonth.key != "", ReportMonth.month >= f"{first:%Y-%m}"))
    click.echo(f"reports: {stored} of the last {months} closed months stored (to {last:%Y-%m})")
