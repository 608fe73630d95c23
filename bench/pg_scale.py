"""Benchmark: a province on PostgreSQL — 1 000 000 dossiers over five years, with events and files.

Run: .venv/bin/python bench/pg_scale.py [--count N] [--keep] [--url postgresql://…]
(default URL: COMMUNE_BENCH_DATABASE_URL, else postgresql://postgres@127.0.0.1:54330/commune_bench).

Without --keep the database's public schema is dropped and rebuilt with the app's own
db.create_all() (its indexes, the GIN index on to_tsvector('simple', search_text)), then filled:
the real catalog, staff of several receiving units, `count` dossiers submitted over five years
(mostly finished, a few thousand open), their status history and other events, and their file
rows (fake storage keys, no bytes on disk). The fill streams rows with COPY; the plain indexes are
dropped first and rebuilt from their own definitions afterwards, then VACUUM ANALYZE, as a
long-running site's autovacuum would leave the tables. search_text is the app's search_text().

Then it prints median / p95 wall ms and median CPU ms (this process only: the server's work is in
the wall time) of the inbox (query functions and whole requests through the test client), its
searches, and the figures of the last whole year (first view with no month stored, then the usual
one), and EXPLAIN (ANALYZE, BUFFERS) of the SQL the app ran for the inbox's default tab, a search
and the figures' counting queries. Everything printed after the fill goes to
bench/results/pg_scale.txt too.
"""
import argparse
import hashlib
import json
import logging
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

# Before the app's models: dossiers/search.py builds func.to_tsvector at import, and SQLAlchemy compiles it
# for PostgreSQL only if its PostgreSQL package was imported first (the app no longer imports it early
# since it stopped loading Alembic at start: without this line create_all and every search fail).
import sqlalchemy.dialects.postgresql  # noqa: E402, F401

from bench.inbox import full_name  # noqa: E402

DEFAULT_URL = "postgresql://postgres@127.0.0.1:54330/commune_bench"
RESULTS = ROOT / "bench" / "results" / "pg_scale.txt"
REPEATS = 25
COLD_REPEATS = 5
YEARS = 5
CHUNK = 20_000
UNITS = tuple(f"Bộ phận Một cửa UBND {place}" for place in (
    "xã Tân Lập", "xã Hòa Bình", "xã Yên Thế", "xã Phú Lương", "xã Đồng Tâm", "xã Minh Khai", "xã Quang Trung",
    "xã Thanh Sơn", "xã Vĩnh Phúc", "phường Bắc Hà", "phường Nam Sơn", "xã An Hòa"))
OFFICERS_PER_UNIT = 4
OPEN = (("received", 0.6), ("processing", 1.5), ("needs_supplement", 0.5), ("ready", 0.7), ("delivering", 0.2))
FINISHED = (("returned", 92), ("refused", 5), ("withdrawn", 3))
OPEN_WITHIN_DAYS, OPEN_SHARE = 40, 0.15  # recent dossiers still open: a few thousand at 1 000 000
VILLAGES = [f"Thôn {n}" for n in range(1, 16)] + [f"Bản {n}" for n in range(1, 6)]

lines = []


def out(text=""):
    """Print, and keep in bench/results/pg_scale.txt (rewritten as it goes: a failure keeps what ran)."""
    print(text, flush=True)
    lines.append(text)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _key_hash(rng, alphabet):
    """A stored lookup key's stand-in (the same draws from `rng` as the clear key it replaced)."""
    return hashlib.sha256("".join(rng.choices(alphabet, k=6)).encode()).hexdigest()


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


SLOW_MS, SLOW_REPEATS = 1000, 9  # a measure slower than a second runs fewer times (n= in the output)


def timed(fn, repeats=REPEATS, setup=None, warm_up=True):
    """(median wall ms, p95 wall ms, median CPU ms, runs); `setup` runs untimed before each run."""
    if warm_up:
        started = time.perf_counter()
        fn()
        if (time.perf_counter() - started) * 1000 > SLOW_MS:
            repeats = min(repeats, SLOW_REPEATS)
    wall, cpu = [], []
    for _ in range(repeats):
        if setup:
            setup()
        started, started_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return statistics.median(wall), percentile(wall, 0.95), statistics.median(cpu), len(wall)


def row_line(label, result, _n=None):
    m, p, c, n = result
    out(f"  {label:52} {m:8.1f} / {p:8.1f}  cpu {c:7.1f}   (n={n})")


# ---------------------------------------------------------------- fill

def _defaults(table):
    """{column: value} for a COPY row: the model's scalar defaults, {} for JSON, else NULL."""
    values = {}
    for column in table.columns:
        default = column.default
        if default is not None and default.is_scalar:
            values[column.name] = default.arg
        elif isinstance(column.type, sa.JSON) and not column.nullable:
            values[column.name] = "{}"
        else:
            values[column.name] = None
    return values


class Copier:
    """Rows for one table, written with COPY … FROM STDIN in the table's column order."""

    def __init__(self, table):
        self.table = table
        self.columns = [c.name for c in table.columns]
        self.defaults = _defaults(table)
        self.rows = []

    def add(self, **values):
        row = dict(self.defaults)
        row.update(values)
        self.rows.append(tuple(row[c] for c in self.columns))

    def flush(self, cursor):
        if not self.rows:
            return 0
        sql = f"COPY {self.table.name} ({', '.join(self.columns)}) FROM STDIN"
        with cursor.copy(sql) as copy:
            for row in self.rows:
                copy.write_row(row)
        n, self.rows = len(self.rows), []
        return n


def _plain_indexes(connection, tables):
    """(name, definition) of the indexes that back no constraint: dropped for the load, rebuilt after."""
    return connection.execute(sa.text(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "JOIN pg_class t ON t.oid = i.indrelid WHERE t.relname = ANY(:tables) "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1"),
        {"tables": list(tables)}).all()


def fill(db, count, rng):
    from commune.accounts.models import User
    from commune.catalog.loader import load_catalog, read_catalog
    from commune.catalog.models import Procedure
    from commune.config import DEFAULT_CUTOFF
    from commune.core.calendar import WorkingCalendar, parse_cutoff
    from commune.core.timeutil import utcnow
    from commune.dossiers.codes import ALPHABET
    from commune.dossiers.models import Dossier, DossierEvent, DossierFile
    from commune.dossiers.rules import procedure_snapshot
    from commune.dossiers.search import search_text

    started = time.perf_counter()
    load_catalog(read_catalog())
    clerks, officers = [], []
    for u, unit in enumerate(UNITS):
        clerk = User(username=f"bench-clerk-{u}", role="clerk", full_name=f"Văn thư {unit[-12:]}",
                     password_hash="x")
        if u == 0:
            clerk.set_password("bench-password")
        db.session.add(clerk)
        clerks.append(clerk)
        for n in range(OFFICERS_PER_UNIT):
            officer = User(username=f"bench-officer-{u}-{n}", role="officer", full_name=f"Cán bộ {u}.{n}",
                           password_hash="x")
            db.session.add(officer)
            officers.append(officer)
    leader = User(username="bench-leader", role="leader", full_name="Lãnh đạo", password_hash="x")
    db.session.add(leader)
    db.session.commit()
    staff_by_unit = [(clerks[u].id, [o.id for o in officers[u * OFFICERS_PER_UNIT:(u + 1) * OFFICERS_PER_UNIT]])
                     for u in range(len(UNITS))]
    procedures = []
    for procedure in db.session.scalars(sa.select(Procedure).order_by(Procedure.id)):
        snapshots = {online: json.dumps(procedure_snapshot(procedure, online=online), ensure_ascii=False)
                     for online in (True, False)}
        documents = max(1, min(4, len(procedure.documents)))
        procedures.append((procedure.id, procedure.processing_days, snapshots, documents, procedure.fee_vnd))
    weights = [5 if p[1] is not None and p[1] <= 5 else 2 for p in procedures]  # quick ones are the common ones
    calendar = WorkingCalendar.load()
    cutoff = parse_cutoff(DEFAULT_CUTOFF)
    due_cache = {}

    def due(received, days):
        local = received + timedelta(hours=7)
        key = (local.date(), local.time() >= cutoff, days)
        if key not in due_cache:
            due_cache[key] = calendar.due_date(received, days)
        return due_cache[key]

    engine_connection = db.engine.raw_connection()
    pg = engine_connection.driver_connection
    tables = ("dossiers", "dossier_events", "dossier_files")
    with db.engine.connect() as connection:
        indexes = _plain_indexes(connection, tables)
    with pg.cursor() as cursor:
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
        cursor.execute("SET session_replication_role = replica")  # no FK trigger per row: ids are ours
        cursor.execute("SET synchronous_commit = off")
    pg.commit()
    print(f"catalog {len(procedures)} procedures, {len(UNITS)} units, {len(clerks) + len(officers) + 1} staff; "
          f"dropped {len(indexes)} plain indexes for the load", flush=True)

    dossiers, events, files = (Copier(m.__table__) for m in (Dossier, DossierEvent, DossierFile))
    now = utcnow()
    first = now - timedelta(days=365 * YEARS)
    span = (now - first).total_seconds() - 3600
    states_open, weights_open = [s for s, _ in OPEN], [w for _, w in OPEN]
    states_done, weights_done = [s for s, _ in FINISHED], [w for _, w in FINISHED]
    codes = set()
    event_id = file_id = 0
    totals = {"events": 0, "files": 0}
    status_count = {}
    with pg.cursor() as cursor:
        for i in range(1, count + 1):
            submitted = first + timedelta(seconds=span * (i - 1 + rng.random()) / count)  # ids follow time
            age = (now - submitted).total_seconds() / 86400
            proc_id, days, snapshots, documents, fee = rng.choices(procedures, weights)[0]
            channel = rng.choices(("online", "counter", "post"), (50, 45, 5))[0]
            unit = rng.randrange(len(UNITS))
            clerk_id, unit_officers = staff_by_unit[unit]
            if age < 2 and rng.random() < 0.5:
                status = "submitted"
            elif age < OPEN_WITHIN_DAYS and rng.random() < OPEN_SHARE:
                status = rng.choices(states_open, weights_open)[0]
            else:
                status = rng.choices(states_done, weights_done)[0]
            received = None
            if status != "submitted":
                received = submitted if channel == "counter" else submitted + timedelta(hours=rng.uniform(0.2, 30))
                received = min(received, now - timedelta(minutes=30))
            due_date = due(received, days) if received else None
            finished = ready = None
            if status in ("returned", "refused", "withdrawn"):
                length = rng.uniform(0, (days or 5) * 1.6 + 1)
                finished = min(received + timedelta(days=length, hours=1), now - timedelta(minutes=5))
                ready = finished - timedelta(hours=rng.uniform(0, 20)) if status == "returned" else None
                ready = max(ready, received) if ready else None
            elif status in ("ready", "delivering"):
                ready = min(received + timedelta(days=rng.uniform(0.5, 6)), now - timedelta(minutes=10))
            assignee = rng.choice(unit_officers) if received and rng.random() < 0.85 else None
            name = full_name(rng)
            phone = f"0{rng.choice('35789')}{rng.randint(10000000, 99999999)}"
            id_number = f"0{rng.randint(10 ** 10, 10 ** 11 - 1)}"
            helper = rng.random() < 0.06
            helper_name = full_name(rng) if helper else ""
            helper_phone = f"09{rng.randint(10000000, 99999999)}" if helper else ""
            while True:
                code = "".join(rng.choices(ALPHABET, k=10))
                if code not in codes:
                    codes.add(code)
                    break
            late = due_date is not None and finished is not None and (finished + timedelta(hours=7)).date() > due_date
            supplements = 1 if status == "needs_supplement" or rng.random() < 0.08 else 0
            status_count[status] = status_count.get(status, 0) + 1
            dossiers.add(
                id=i, code=code, lookup_key_hash=_key_hash(rng, ALPHABET), procedure_id=proc_id,
                procedure_snapshot=snapshots[channel == "online"], status=status, channel=channel,
                applicant_name=name, applicant_phone=phone, applicant_id_number=id_number,
                applicant_address=f"Số {rng.randint(1, 200)}, {rng.choice(VILLAGES)}",
                applicant_village=rng.choice(VILLAGES), helper_name=helper_name, helper_phone=helper_phone,
                helper_role="relative" if helper else "", helper_relation="con" if helper else "",
                search_text=search_text(SimpleNamespace(
                    applicant_name=name, applicant_phone=phone, applicant_id_number=id_number, code=code,
                    helper_name=helper_name, helper_phone=helper_phone)),
                form_data='{"ghi_chu": ""}', result_method="post" if rng.random() < 0.15 else "office",
                receiving_unit=UNITS[unit], competent_unit=UNITS[unit].replace("Bộ phận Một cửa ", ""),
                assignee_id=assignee, fee_vnd=fee, supplement_count=supplements,
                has_new_supplement=status in ("received", "processing") and rng.random() < 0.05,
                created_at=submitted - timedelta(minutes=rng.randint(2, 90)), updated_at=finished or ready or received
                or submitted, submitted_at=submitted, received_at=received, due_date=due_date,
                missed_due_date=due_date if late and rng.random() < 0.3 else None, ready_at=ready,
                finished_at=finished, version=1 + rng.randint(1, 6),
            )

            # Its record: the status moves in order, the assignment, a note or a document viewed.
            history = [(submitted, "status", "draft", "submitted", None, name)]
            if received:
                history.append((received, "status", "submitted", "received", clerk_id, "Văn thư"))
                if assignee:
                    history.append((received + timedelta(minutes=5), "assign", None, None, clerk_id, "Văn thư"))
                step = received + timedelta(hours=1)
                if status != "received":
                    history.append((step, "status", "received", "processing", assignee or clerk_id, "Cán bộ"))
                if supplements:
                    history.append((step + timedelta(hours=2), "status", "processing", "needs_supplement",
                                    assignee or clerk_id, "Cán bộ"))
                    if status != "needs_supplement":
                        history.append((step + timedelta(hours=30), "supplement_answered", "needs_supplement",
                                        "processing", None, name))
                if rng.random() < 0.5:
                    history.append((step + timedelta(minutes=20), "document_view", None, None, assignee or clerk_id,
                                    "Cán bộ"))
                if ready:
                    history.append((ready, "status", "processing", "ready", assignee or clerk_id, "Cán bộ"))
                if status == "delivering":
                    history.append((ready + timedelta(hours=3), "status", "ready", "delivering", clerk_id, "Văn thư"))
                if finished:
                    before = "ready" if status == "returned" else "processing"
                    history.append((finished, "status", before, status, clerk_id, "Văn thư"))
            elif status == "submitted" and rng.random() < 0.1:
                history.append((submitted + timedelta(minutes=3), "note", None, None, clerk_id, "Văn thư"))
            for at, kind, from_status, to_status, actor, label in history:
                event_id += 1
                events.add(id=event_id, dossier_id=i, at=at, kind=kind, from_status=from_status,
                           to_status=to_status, actor_id=actor, actor_label=label,
                           public=kind in ("status", "supplement_answered"))
            for n in range(documents + (rng.random() < 0.3)):
                file_id += 1
                key = f"{rng.getrandbits(256):064x}"
                files.add(id=file_id, dossier_id=i, document_index=n if n < documents else None, round=0,
                          purpose="document", storage_key=key, thumb_key=f"{rng.getrandbits(256):064x}",
                          mime="image/webp", size_bytes=rng.randint(120_000, 700_000), width=1600, height=2200,
                          sha256=key, original_name=f"IMG_{rng.randint(1000, 9999)}.jpg",
                          uploaded_at=submitted - timedelta(minutes=1))
            if status == "returned" and rng.random() < 0.3:
                file_id += 1
                key = f"{rng.getrandbits(256):064x}"
                files.add(id=file_id, dossier_id=i, round=-1, purpose="result", storage_key=key,
                          mime="application/pdf", size_bytes=rng.randint(80_000, 300_000), sha256=key,
                          original_name="ket-qua.pdf", uploaded_at=ready or finished)

            if i % CHUNK == 0 or i == count:
                dossiers.flush(cursor)
                totals["events"] += events.flush(cursor)
                totals["files"] += files.flush(cursor)
                pg.commit()
                if i % 100_000 == 0 or i == count:
                    print(f"  {i:>9} dossiers, {totals['events']} events, {totals['files']} files "
                          f"({time.perf_counter() - started:.0f} s)", flush=True)
        copied = time.perf_counter() - started
        for table, column in (("dossiers", "id"), ("dossier_events", "id"), ("dossier_files", "id")):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                           f"(SELECT max({column}) FROM {table}))")
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("SET maintenance_work_mem = '512MB'")
        pg.commit()
        for name, definition in indexes:
            t = time.perf_counter()
            cursor.execute(definition)
            pg.commit()
            print(f"  index {name}: {time.perf_counter() - t:.1f} s", flush=True)
        indexed = time.perf_counter() - started
    pg.autocommit = True
    with pg.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM (ANALYZE) {table}")
        cursor.execute("ANALYZE")
    engine_connection.close()
    total = time.perf_counter() - started
    return {"copied": copied, "indexed": indexed - copied, "vacuum": total - indexed, "total": total,
            "events": totals["events"], "files": totals["files"], "status": status_count,
            "indexes": len(indexes)}


# ---------------------------------------------------------------- plans

class Capture:
    """The SQL statements (with their parameters) the app sends while the block runs."""

    def __init__(self, engine):
        self.engine = engine
        self.statements = []

    def _listen(self, _conn, _cursor, statement, parameters, _context, _many):
        self.statements.append((statement, parameters))
        self.started = time.perf_counter()

    def _done(self, *_args):
        self.times.append((time.perf_counter() - self.started) * 1000)

    def __enter__(self):
        self.times = []
        sa.event.listen(self.engine, "before_cursor_execute", self._listen)
        sa.event.listen(self.engine, "after_cursor_execute", self._done)
        return self

    def __exit__(self, *exc):
        sa.event.remove(self.engine, "before_cursor_execute", self._listen)
        sa.event.remove(self.engine, "after_cursor_execute", self._done)
        return False

    def report(self, label, top=8):
        """The statements' wall times, slowest first (the database's work plus the driver's)."""
        timed_statements = sorted(zip(self.times, self.statements, strict=False), key=lambda x: -x[0])
        out(f"\n{label}: {len(self.statements)} statements, {sum(self.times):.1f} ms in SQL; slowest:")
        for ms, (statement, _parameters) in timed_statements[:top]:
            out(f"  {ms:8.1f} ms  {' '.join(statement.split())[:150]}")
        return [item for _ms, item in timed_statements]

    def find(self, *needles, without=()):
        for statement, parameters in self.statements:
            if all(n in statement for n in needles) and not any(n in statement for n in without):
                return statement, parameters
        raise LookupError(f"no statement with {needles}")


def explain_found(db, label, seen, *needles, without=()):
    """EXPLAIN the first captured statement holding every needle (a note if the app ran none)."""
    try:
        statement, parameters = seen.find(*needles, without=without)
    except LookupError:
        out(f"\n--- {label}: no such statement ran (needles {needles})")
        return
    explain(db, label, statement, parameters)


def explain(db, label, statement, parameters):
    out(f"\n--- {label}")
    plan = db.session.connection().exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters or {})
    for (text,) in plan:
        out("    " + text)
    db.session.rollback()


# ---------------------------------------------------------------- measure

def measure(app, db, args):
    from commune.accounts.models import User
    from commune.dossiers.models import Dossier
    from commune.inbox import filtering, queries, tabs
    from commune.reports.month_cache import clear_all
    from commune.reports.periods import Period, make_period
    from commune.reports.queries import compute_figures

    counts = dict(db.session.execute(sa.select(Dossier.status, sa.func.count()).group_by(Dossier.status)).all())
    n_events = db.session.scalar(sa.text("SELECT count(*) FROM dossier_events"))
    n_files = db.session.scalar(sa.text("SELECT count(*) FROM dossier_files"))
    size = db.session.scalar(sa.text("SELECT pg_size_pretty(pg_database_size(current_database()))"))
    span = db.session.execute(sa.select(sa.func.min(Dossier.submitted_at), sa.func.max(Dossier.submitted_at))).one()
    version = db.session.scalar(sa.text("SHOW server_version"))
    open_n = sum(v for k, v in counts.items() if k not in ("returned", "refused", "withdrawn", "draft"))
    out(f"PostgreSQL {version}: {sum(counts.values())} dossiers submitted {span[0]:%Y-%m-%d} .. {span[1]:%Y-%m-%d}, "
        f"{n_events} events, {n_files} file rows; database {size}")
    out(f"  by status: {dict(sorted(counts.items(), key=lambda kv: -kv[1]))}; open {open_n}")
    clerk = db.session.scalar(sa.select(User).filter_by(username="bench-clerk-0"))
    ctx = tabs.Context()
    middle = db.session.scalar(sa.select(sa.func.max(Dossier.id))) // 2 + 7
    phone = db.session.scalar(sa.select(Dossier.applicant_phone).where(Dossier.id == middle))
    out(f"\nInbox, query functions: wall median / p95, CPU median (ms, load {os.getloadavg()[0]:.1f})")
    base = filtering.Filters()
    row_line("counts of all tabs", timed(lambda: tabs.counts(base, ctx, clerk)))
    totals = tabs.counts(base, ctx, clerk)
    out(f"  tab counts: {totals}")
    for tab in ("now", "processing", "overdue", "returned", "all"):
        f = filtering.Filters(tab=tab)
        row_line(f"list tab {tab} ({totals[tab]})",
                 timed(lambda f=f: queries.dossier_list(f, ctx, totals[f.tab], clerk)))
    searches = (("a name 'nguyen thi dung'", "nguyen thi dung"), ("one common word 'nguyen'", "nguyen"),
                ("a family name 'tran van'", "tran van"), ("a phone prefix '0912'", "0912"),
                ("last digits '4567'", "4567"), ("a whole phone", phone))

    def search_run(q):
        f = filtering.Filters(tab="all", q=q)
        filtering.resolve_search(f)  # as the view does
        c = tabs.counts(f, ctx, clerk)
        queries.dossier_list(f, ctx, c[f.tab] or 0, clerk)
        return f, c

    for label, q in searches:
        f, c = search_run(q)
        row_line(f"counts+list: search {label}", timed(lambda q=q: search_run(q)))
        shown = c["all"] if c["all"] is not None else "capped"
        out(f"      matches by id: {len(f.match_ids) if f.match_ids is not None else 'over 2000 (broad)'}; "
            f"'all' count {shown}")
    db.session.rollback()

    client = app.test_client()
    response = client.post("/dang-nhap", data={"username": clerk.username, "password": "bench-password"})
    assert response.status_code in (302, 303), response.status_code
    out("\nHTTP through the test client: wall median / p95, CPU median (ms)")
    for label, url, headers in (
        ("GET /hop-thu (full page)", "/hop-thu", {}),
        ("GET /hop-thu?tab=processing (htmx tab)", "/hop-thu?tab=processing", {"HX-Request": "true"}),
        ("GET /hop-thu?tab=returned&page=3", "/hop-thu?tab=returned&page=3", {}),
        ("GET search 'nguyen thi dung' (full page)", "/hop-thu?tab=all&q=nguyen+thi+dung", {}),
        ("GET search 'nguyen' (htmx)", "/hop-thu?tab=all&q=nguyen", {"HX-Request": "true"}),
        ("GET search '0912' (htmx)", "/hop-thu?tab=all&q=0912", {"HX-Request": "true"}),
        ("GET search a whole phone (htmx)", f"/hop-thu?tab=all&q={phone}", {"HX-Request": "true"}),
    ):
        def get(u=url, h=headers):
            response = client.get(u, headers=h)
            assert response.status_code == 200, (u, response.status_code)
        row_line(label, timed(get))

    today = ctx.today
    last_year = Period(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31), "tuy-chon")
    this_year = make_period("nam-nay")

    def clear():
        clear_all()
        db.session.commit()

    out(f"\nFigures: wall median / p95, CPU median (ms, load {os.getloadavg()[0]:.1f}); "
        "first view = every stored month cleared before the run")
    compute_figures(make_period("thang-nay"))  # compiled statements, the holiday tables
    db.session.commit()
    row_line(f"compute_figures {last_year.start.year}, first view", timed(
        lambda: compute_figures(last_year), repeats=COLD_REPEATS, setup=clear, warm_up=False), COLD_REPEATS)
    result = compute_figures(last_year)
    db.session.commit()
    row_line(f"compute_figures {last_year.start.year}, months stored", timed(lambda: compute_figures(last_year)))
    o = result.overall
    out(f"      received {o.received}, resolved {o.resolved}, on time {o.on_time_pct}%, in progress "
        f"{o.in_progress}, avg {o.avg_days} working days; {len(result.by_procedure)} procedures, "
        f"{len(result.by_staff)} staff rows")
    row_line(f"compute_figures nam-nay {today.year} (11 stored + 1 live)", timed(lambda: compute_figures(this_year)))
    db.session.commit()
    year_url = f"/so-lieu?ky=tuy-chon&tu={last_year.start}&den={last_year.end}"

    def page(u=year_url):
        response = client.get(u)
        assert response.status_code == 200, (u, response.status_code)

    row_line(f"GET {year_url}, first view", timed(page, repeats=3, setup=clear, warm_up=False), 3)
    row_line(f"GET {year_url}, months stored", timed(page))
    row_line("GET /so-lieu?ky=nam-nay, months stored", timed(lambda: page("/so-lieu?ky=nam-nay")))

    out("\nEXPLAIN (ANALYZE, BUFFERS) of the SQL the app ran")
    with Capture(db.engine) as seen:
        queries.dossier_list(filtering.Filters(), ctx, totals["now"], clerk)
    explain_found(db, "inbox default tab 'now': the page's ids", seen, "ORDER BY CASE", "LIMIT")
    with Capture(db.engine) as seen:
        tabs.counts(base, ctx, clerk)
    explain_found(db, "inbox counts: every dossier (the 'returned' tab is the total minus the rest)", seen,
                  "count(*)", without=("WHERE",))
    explain_found(db, "inbox counts: by status, all but returned", seen, "GROUP BY dossiers.status")
    explain_found(db, "inbox counts: open dossiers by due date", seen, "FILTER")
    for q in ("nguyen thi dung", "nguyen", "0912"):
        with Capture(db.engine) as seen:
            search_run(q)
        explain_found(db, f"search '{q}': resolve_search's matches (first 2001)", seen, "to_tsquery", "DISTINCT")
        explain_found(db, f"search '{q}': the capped count (broad)", seen, "to_tsquery", "count(")
        explain_found(db, f"search '{q}': the page's ids (broad: the GIN condition)", seen, "to_tsquery", "ORDER BY")
        explain_found(db, f"search '{q}': the page's ids (matches by id)", seen, "dossiers.id IN", "LIMIT",
                      "ORDER BY", without=("to_tsquery",))
    clear()
    with Capture(db.engine) as seen:
        compute_figures(last_year)
    db.session.commit()
    explain_found(db, f"figures {last_year.start.year}, first view: one month's counting query (January)", seen,
                  "range_rows")
    explain_found(db, "figures: open dossiers (in progress / overdue)", seen, "GROUP BY", "dossiers.due_date",
                  without=("range_rows",))
    with Capture(db.engine) as seen:
        compute_figures(last_year)
    explain_found(db, "figures, months stored: the twelve months' sums", seen, "report_month_counts", "GROUP BY")
    slowest = seen.report(f"compute_figures {last_year.start.year}, months stored")
    for n, (statement, parameters) in enumerate(slowest[:2], 1):
        explain(db, f"compute_figures, months stored: slowest statement no. {n}", statement, parameters)
    page()  # the comparison's months (cleared above) stored again, so the capture is the usual view
    with Capture(db.engine) as seen:
        page()
    slowest = seen.report(f"GET {year_url}, months stored")
    db.session.rollback()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="reuse the filled database, only measure")
    parser.add_argument("--url", default=os.environ.get("COMMUNE_BENCH_DATABASE_URL") or DEFAULT_URL)
    args = parser.parse_args()
    load_start = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("COMMUNE_INSTANCE_PATH", str(Path(tmp) / "instance"))
        from commune import create_app
        from commune.extensions import db

        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": args.url,
                          "COMMUNE_SEND_NOTICES": False, "WTF_CSRF_ENABLED": False,
                          "COMMUNE_DATA_DIR": str(Path(tmp) / "data")})
        logging.getLogger("commune.request").setLevel(logging.WARNING)
        with app.app_context():
            if db.engine.dialect.name != "postgresql":
                raise SystemExit("bench/pg_scale.py needs a PostgreSQL URL")
            header = (f"pg_scale: {datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} cores, "
                      f"load at start {load_start[0]:.2f} {load_start[1]:.2f} {load_start[2]:.2f}")
            filled = None
            if not args.keep:
                with db.engine.begin() as connection:
                    connection.execute(sa.text("DROP SCHEMA public CASCADE"))
                    connection.execute(sa.text("CREATE SCHEMA public"))
                db.create_all()
                print(f"filling {args.count} dossiers …", flush=True)
                filled = fill(db, args.count, random.Random(2026))
                db.session.remove()
            out(header)
            if filled:
                out(f"fill: {filled['total']:.0f} s in all — COPY {filled['copied']:.0f} s, rebuilding "
                    f"{filled['indexes']} indexes {filled['indexed']:.0f} s, VACUUM ANALYZE {filled['vacuum']:.0f} s "
                    f"(load now {os.getloadavg()[0]:.2f})")
            else:
                out("fill: reused the filled database (--keep)")
            measure(app, db, args)
            end = os.getloadavg()
            out(f"\nload at end {end[0]:.2f} {end[1]:.2f} {end[2]:.2f}")
            db.session.remove()
            db.engine.dispose()
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
