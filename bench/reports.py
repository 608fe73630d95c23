"""Benchmark: the figures page's SQL on 100 000 dossiers in a temporary SQLite database.

Run: .venv/bin/python bench/reports.py [count]
(REPORTS_BENCH_DB=/tmp/x.db keeps the SQLite database between runs; REPORTS_BENCH_URL=postgresql://…
runs it on an empty PostgreSQL database instead, kept too.)
Builds the catalog, 8 staff and `count` dossiers (bulk inserts) spread over two years,
then times compute_figures() for this month, this quarter and this year: the first view
(no month stored yet: every closed month is counted and stored) and the usual one.
"""
import os
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from commune import create_app  # noqa: E402
from commune.extensions import db  # noqa: E402


def build(count):
    from commune.accounts.models import User
    from commune.catalog.loader import load_catalog, read_catalog
    from commune.catalog.models import Procedure
    from commune.core.calendar import WorkingCalendar
    from commune.core.timeutil import utcnow
    from commune.dossiers.models import CHANNELS, Dossier

    load_catalog(read_catalog())
    for n in range(8):
        user = User(username=f"staff{n}", role="officer", full_name=f"Cán bộ {n}", password_hash="x")
        db.session.add(user)
    db.session.commit()
    procedures = db.session.execute(sa.select(Procedure.id, Procedure.processing_days)).all()
    users = db.session.scalars(sa.select(User.id)).all()
    calendar = WorkingCalendar.load()
    rng = random.Random(8)
    now = utcnow()
    rows = []
    for i in range(count):
        procedure_id, days = rng.choice(procedures)
        days = days if days is not None else 5
        received = now - timedelta(days=rng.uniform(0, 730))
        due = calendar.due_date(received, days)
        # Most dossiers are finished; only recent ones are still open (as at a real desk).
        status, finished = "processing", None
        roll = rng.random()
        age_days = (now - received).days
        if roll < 0.97 or age_days > 2 * days + 10:
            finished = received + timedelta(days=rng.uniform(0, days * 1.6 + 1))
            status = "returned" if roll < 0.9 else ("refused" if roll < 0.95 else "withdrawn")
            if finished > now:
                status, finished = "processing", None
        # As at a real desk: nearly every villager gives a phone, a few are helped ("nộp thay"), a
        # third of the procedures carry a fee.
        helped = rng.random() < 0.04
        phone = "" if rng.random() < 0.02 else f"09{rng.randrange(10**8):08d}"
        rows.append({
            "applicant_phone": phone, "helper_name": "Lò Văn Giúp" if helped else "",
            "helper_role": "relative" if helped else "", "helper_phone": "0912000000" if helped else "",
            "fee_vnd": 8000 if procedure_id % 3 == 0 else 0,
            "code": f"B{i:09d}", "procedure_id": procedure_id, "procedure_snapshot": {},
            "status": status, "channel": rng.choice(CHANNELS), "assignee_id": rng.choice(users),
            "applicant_name": "Nguyễn Văn An", "created_at": received, "updated_at": received,
            "submitted_at": received, "received_at": received, "due_date": due,
            "finished_at": finished, "form_data": {}, "version": 1,
        })
        if len(rows) == 10_000:
            db.session.execute(sa.insert(Dossier), rows)
            rows = []
    if rows:
        db.session.execute(sa.insert(Dossier), rows)
    db.session.commit()


def clear_stored():
    """Forget every stored month, as after a calendar edit: the next view counts them again."""
    from commune.reports.month_cache import clear_all

    clear_all()
    db.session.commit()


def stale_one_month(period):
    """Make one stored month stale, as a correction to one of its dossiers would."""
    from commune.reports.models import ReportMonth

    month = period.months[0]
    db.session.execute(sa.update(ReportMonth).where(ReportMonth.month == month).values(key=""))
    db.session.commit()


def timed(label, func, repeat=5):
    """Best of `repeat` runs: wall time, and CPU time (steadier on a busy machine; SQLite runs in-process)."""
    best_wall = best_cpu = None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = func()
        wall, cpu = (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000
        best_wall = wall if best_wall is None else min(best_wall, wall)
        best_cpu = cpu if best_cpu is None else min(best_cpu, cpu)
    print(f"{label:<40} {best_wall:8.1f} ms wall {best_cpu:8.1f} ms cpu")
    return result


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    from commune.reports import exports
    from commune.reports.periods import make_period
    from commune.reports.queries import compute_figures, grouped_counts, register_rows

    keep = os.environ.get("REPORTS_BENCH_DB")  # reuse a database built by an earlier run
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["COMMUNE_INSTANCE_PATH"] = tmp
        path = keep or f"{tmp}/bench.db"
        url = os.environ.get("REPORTS_BENCH_URL") or f"sqlite:///{path}"  # e.g. an empty PostgreSQL database
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
        with app.app_context():
            db.create_all()
            fresh = not db.session.scalar(sa.select(sa.func.count()).select_from(sa.table("dossiers")))
            print(f"database: {db.engine.dialect.name}")
            if fresh:
                started = time.perf_counter()
                build(count)
                print(f"built {count} dossiers in {time.perf_counter() - started:.1f} s")
            compute_figures(make_period("thang-nay"))  # warm up: compiled statements, the holiday tables
            for kind in ("thang-nay", "quy-nay", "nam-nay"):
                period = make_period(kind)
                clear_stored()
                cold = timed(f"first view, nothing stored, {kind}", lambda p=period: compute_figures(p), repeat=1)
                timed(f"grouped counts, {kind}", lambda p=period: grouped_counts(p))
                figures = timed(f"compute_figures (whole page), {kind}", lambda p=period: compute_figures(p))
                same = cold.overall == figures.overall and cold.months == figures.months
                print(f"  received {figures.overall.received}, resolved {figures.overall.resolved}, "
                      f"on time {figures.overall.on_time_pct}%, avg {figures.overall.avg_days} working days; "
                      f"stored months give the same figures: {same}")
                if not same:
                    raise SystemExit("stored months disagree with the live count")
            year = make_period("nam-nay")
            timed("nam-nay, one stored month stale", lambda: stale_one_month(year) or compute_figures(year))
            period = make_period("thang-nay")
            rows = timed("register rows, thang-nay", lambda: register_rows(period), repeat=3)
            timed(f"register .xlsx ({len(rows)} rows)", lambda: exports.to_xlsx(
                "So", exports.REGISTER_HEADERS, exports.register_rows(rows)), repeat=3)


if __name__ == "__main__":
    main()
