"""Benchmark: the clerk's inbox with 100 000 dossiers in SQLite.

Run: .venv/bin/python bench/inbox.py [count]   (a temp folder; nothing else touched)
Bulk-inserts `count` dossiers (default 100 000) spread over states, channels, procedures and due
dates; then prints the median / p95 milliseconds of the counts query, each tab's page query and
the whole HTTP request (full page and htmx fragment), and EXPLAIN QUERY PLAN of the main queries.
"""
import logging
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

REPEATS = 25
# Years of a busy commune: most dossiers finished, a few thousand open (more than a real desk holds).
STATUSES = (("submitted", 0.6), ("received", 0.6), ("processing", 1.5), ("needs_supplement", 0.5),
            ("ready", 0.7), ("delivering", 0.2), ("returned", 87.6), ("refused", 5), ("withdrawn", 3.3))
# Names drawn about as often as in Vietnam (Nguyễn ~38 %), so a name search hits what it would there.
FAMILY = (("Nguyễn", 38), ("Trần", 11), ("Lê", 9.5), ("Phạm", 7), ("Hoàng", 5), ("Huỳnh", 4), ("Phan", 4.5),
          ("Vũ", 4), ("Võ", 4), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3), ("Dương", 1),
          ("Lò", 1), ("Hà", 1), ("Lý", 0.5), ("Triệu", 0.5), ("Đinh", 1))
MIDDLE = (("Văn", 30), ("Thị", 30), ("Minh", 6), ("Đức", 5), ("Ngọc", 5), ("Thanh", 5), ("Hữu", 4), ("Quang", 4),
          ("Xuân", 3), ("Thu", 3), ("Hồng", 3), ("Anh", 2))
GIVEN = ("An", "Anh", "Bình", "Cường", "Chi", "Dũng", "Dung", "Duy", "Đức", "Giang", "Hà", "Hải", "Hạnh", "Hiếu",
         "Hoa", "Hòa", "Hùng", "Hương", "Huy", "Khánh", "Lan", "Linh", "Loan", "Long", "Mai", "Minh", "My", "Nam",
         "Nga", "Ngọc", "Nhung", "Phong", "Phúc", "Phương", "Quân", "Quang", "Sơn", "Tâm", "Thảo", "Thắng",
         "Thành", "Thu", "Thủy", "Tiến", "Trang", "Trung", "Tuấn", "Tú", "Vân", "Yến")


def full_name(rng):
    pick = lambda pairs: rng.choices([n for n, _ in pairs], [w for _, w in pairs])[0]  # noqa: E731
    return f"{pick(FAMILY)} {pick(MIDDLE)} {rng.choice(GIVEN)}"


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def timed(fn, repeats=REPEATS):
    """(median wall ms, p95 wall ms, median CPU ms): CPU time is what the server spends even when
    other processes share the machine (SQLite runs inside this process)."""
    fn()  # warm up
    wall, cpu = [], []
    for _ in range(repeats):
        started, started_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return statistics.median(wall), percentile(wall, 0.95), statistics.median(cpu)


def fill(count, db, rng):
    import sqlalchemy as sa

    from commune.accounts.models import User
    from commune.catalog.loader import load_catalog, read_catalog
    from commune.catalog.models import Procedure
    from commune.core.timeutil import local_today, utcnow
    from commune.dossiers.codes import ALPHABET
    from commune.dossiers.models import Dossier
    from commune.dossiers.search import fold, index_text

    load_catalog(read_catalog())
    staff = []
    for n, role in enumerate(("clerk", "officer", "officer", "officer")):
        user = User(username=f"bench-{role}-{n}", role=role, full_name=f"Cán bộ {n}")
        user.set_password("bench-password")
        db.session.add(user)
        staff.append(user)
    db.session.commit()
    procedures = db.session.execute(sa.select(Procedure.id, Procedure.name, Procedure.processing_days)).all()
    now, today = utcnow(), local_today()
    states = [s for s, _ in STATUSES]
    weights = [w for _, w in STATUSES]
    rows = []
    started = time.perf_counter()
    for _ in range(count):
        status = rng.choices(states, weights)[0]
        proc = rng.choice(procedures)
        submitted = now - timedelta(days=rng.randint(0, 720), minutes=rng.randint(0, 600))
        received = submitted + timedelta(hours=2) if status not in ("submitted",) else None
        due = (today + timedelta(days=rng.randint(-10, 15))) if received else None
        name = full_name(rng)
        phone = f"09{rng.randint(10000000, 99999999)}"
        id_number = f"0{rng.randint(10**10, 10**11 - 1)}"
        code = "".join(rng.choice(ALPHABET) for _ in range(10))
        rows.append({
            "code": code, "lookup_key_hash": "0" * 64, "procedure_id": proc.id,
            "procedure_snapshot": {"name": proc.name, "processing_days": proc.processing_days, "documents": []},
            "status": status, "channel": rng.choices(("online", "counter", "post"), (50, 45, 5))[0],
            "applicant_name": name, "applicant_phone": phone, "applicant_id_number": id_number,
            "search_text": index_text(fold(f"{code} {name} {phone} {id_number}")), "form_data": {},
            "assignee_id": rng.choice(staff).id if received and rng.random() < 0.7 else None,
            "has_new_supplement": status in ("received", "processing") and rng.random() < 0.05,
            "result_method": "post" if rng.random() < 0.2 else "office",
            "created_at": submitted, "updated_at": submitted, "submitted_at": submitted, "received_at": received,
            "due_date": due, "finished_at": submitted + timedelta(days=5) if status in (
                "returned", "refused", "withdrawn") else None, "version": 1,
        })
        if len(rows) == 5000:
            db.session.execute(sa.insert(Dossier), rows)
            rows = []
    if rows:
        db.session.execute(sa.insert(Dossier), rows)
    db.session.commit()
    db.session.execute(sa.text("ANALYZE"))  # planner statistics, as a long-running site has them
    db.session.commit()
    return time.perf_counter() - started, staff[0]


def explain(db, stmt):
    import sqlalchemy as sa

    sql = str(stmt.compile(db.engine, compile_kwargs={"literal_binds": True}))
    if db.engine.dialect.name != "sqlite":
        return "\n".join(r[0] for r in db.session.execute(sa.text("EXPLAIN " + sql)))
    plan = db.session.execute(sa.text("EXPLAIN QUERY PLAN " + sql)).all()
    return "\n".join(f"    {row[-1]}" for row in plan)


class _Kept:
    def __init__(self, path):
        self.path = path

    def __enter__(self):
        os.makedirs(self.path, exist_ok=True)
        return self.path

    def __exit__(self, *exc):
        return False


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rng = random.Random(2026)
    keep = os.environ.get("BENCH_KEEP_DIR")  # reuse a filled database between runs (development)
    with (tempfile.TemporaryDirectory() if not keep else _Kept(keep)) as tmp:
        os.environ.setdefault("COMMUNE_INSTANCE_PATH", str(Path(tmp) / "instance"))
        from commune import create_app
        from commune.extensions import db

        url = os.environ.get("COMMUNE_BENCH_DATABASE_URL") or f"sqlite:///{Path(tmp) / 'bench.db'}"
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                          "COMMUNE_SEND_NOTICES": False,
                          "WTF_CSRF_ENABLED": False, "COMMUNE_DATA_DIR": str(Path(tmp) / "data")})
        logging.getLogger("commune.request").setLevel(logging.WARNING)
        with app.app_context():
            import sqlalchemy as sa

            from commune.accounts.models import User
            from commune.dossiers.models import Dossier
            from commune.inbox import filtering, queries, tabs

            db.create_all()
            clerk = db.session.scalar(sa.select(User).filter_by(username="bench-clerk-0"))
            if clerk is None:
                seconds, clerk = fill(count, db, rng)
                print(f"inserted {count} dossiers in {seconds:.1f} s ({db.engine.dialect.name})")

            ctx = tabs.Context()
            phone, code = db.session.execute(
                sa.select(Dossier.applicant_phone, Dossier.code).where(Dossier.id == 4321)).one()
            load = os.getloadavg()[0]
            print(f"\nquery functions: wall median / p95, CPU median (ms, {REPEATS} runs; load {load:.1f})")
            base = filtering.Filters()
            m, p, c = timed(lambda: tabs.counts(base, ctx, clerk))
            print(f"  counts of all tabs                 {m:7.2f} / {p:7.2f}  cpu {c:6.2f}")
            totals = tabs.counts(base, ctx, clerk)
            for tab in ("now", "waiting", "processing", "due_soon", "overdue", "ready", "returned", "all"):
                filters = filtering.Filters(tab=tab)
                m, p, c = timed(lambda f=filters: queries.dossier_list(f, ctx, totals[f.tab], clerk))
                print(f"  list tab {tab:12} ({totals[tab]:6d})  {m:7.2f} / {p:7.2f}  cpu {c:6.2f}")
            for label, filters in (
                ("returned, page 500", filtering.Filters(tab="returned", page=500)),
                ("search name 'nguyen thi dung'", filtering.Filters(tab="all", q="nguyen thi dung")),
                ("search one common word 'nguyen'", filtering.Filters(tab="all", q="nguyen")),
                ("search a word start 'hu'", filtering.Filters(tab="all", q="hu")),
                ("search phone prefix '0912'", filtering.Filters(tab="all", q="0912")),
                ("search last digits '4567'", filtering.Filters(tab="all", q="4567")),
                ("search a whole phone number", filtering.Filters(tab="all", q=phone)),
                ("search a whole tracking code", filtering.Filters(tab="all", q=code)),
                ("filter channel=post", filtering.Filters(tab="processing", channel="post")),
            ):
                def run(f=filters):
                    f.match_ids = None
                    filtering.resolve_search(f)  # as the view does: the search's ids found once
                    c = tabs.counts(f, ctx, clerk)
                    queries.dossier_list(f, ctx, c[f.tab], clerk)
                m, p, c = timed(run)
                print(f"  counts+list: {label:28} {m:7.2f} / {p:7.2f}  cpu {c:6.2f}")

            client = app.test_client()
            client.post("/dang-nhap", data={"username": clerk.username, "password": "bench-password"})
            print("\nHTTP, whole request through the test client: wall median / p95, CPU median (ms):")
            for label, url, headers in (
                ("GET /hop-thu (full page)", "/hop-thu", {}),
                ("GET /hop-thu?tab=processing (htmx)", "/hop-thu?tab=processing", {"HX-Request": "true"}),
                ("GET /hop-thu?tab=returned&page=3", "/hop-thu?tab=returned&page=3", {}),
                ("GET /hop-thu?tab=all&q=tran van (htmx)", "/hop-thu?tab=all&q=tran+van", {"HX-Request": "true"}),
                ("GET /hop-thu?tab=all&q=nguyen thi dung", "/hop-thu?tab=all&q=nguyen+thi+dung", {}),
            ):
                def get(u=url, h=headers):
                    response = client.get(u, headers=h)
                    assert response.status_code == 200, response.status_code
                m, p, c = timed(get, repeats=15)
                print(f"  {label:40} {m:7.2f} / {p:7.2f}  cpu {c:6.2f}")

            print("\nEXPLAIN QUERY PLAN")
            conditions = filtering.filter_conditions(base, clerk)
            from commune.dossiers.models import Dossier
            total = sa.select(sa.func.count()).select_from(Dossier)
            print("  counts, total (the 'returned' tab is the total minus the rest):\n" + explain(db, total))
            others = [s for s in ("submitted", "received", "processing", "needs_supplement", "ready",
                                  "delivering", "refused", "withdrawn", "draft")]
            by_status = (sa.select(Dossier.status, sa.func.count()).where(Dossier.status.in_(others))
                         .group_by(Dossier.status))
            print("  counts by status, all but returned:\n" + explain(db, by_status))
            late = sa.select(sa.func.count()).where(*conditions, Dossier.status.in_(tabs.RUNNING),
                                                    Dossier.due_date < ctx.today)
            print("  running dossiers by due date:\n" + explain(db, late))
            for tab, sort in (("overdue", "due"), ("returned", "received"), ("now", "urgent")):
                stmt = (sa.select(Dossier.id).where(*conditions, tabs.tab_condition(tab, ctx))
                        .order_by(*queries.order_by(sort, ctx)).limit(50))
                print(f"  list {tab} sorted by {sort}:\n" + explain(db, stmt))
            searched = filtering.Filters(tab="all", q="nguyen thi dung")
            stmt = (sa.select(Dossier.id).where(*filtering.filter_conditions(searched, clerk))
                    .order_by(*queries.order_by("submitted", ctx)).limit(50))
            print("  list all, search 'nguyen thi dung':\n" + explain(db, stmt))
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
