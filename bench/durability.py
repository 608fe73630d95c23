"""Benchmark: what durability costs — fsync of stored files, SQLite synchronous=FULL, a whole submission.

Run: .venv/bin/python bench/durability.py   (temp folders on the disk /tmp lives on; no network)
Prints, with the configuration the site uses (fsync on, FULL) against the one it used before
(no fsync, NORMAL):
  1. storage.save() of a ~300 KB page: median and p95 ms per write;
  2. one small SQLite commit in WAL mode: median and p95 ms;
  3. the villager's journey in-process (draft, one photo, submit): submissions per second.
Rounds of each configuration alternate, so a busy neighbour on the machine weighs on both.
"""
import logging
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

WRITES, COMMITS, SUBMISSIONS, ROUNDS = 60, 200, 8, 3


def _stats(values):
    values = sorted(values)
    return statistics.median(values), values[int(len(values) * 0.95) - 1]


def bench_storage(tmp):
    from commune.files.storage import LocalStorage

    results = {True: [], False: []}
    for round_ in range(ROUNDS):
        for fsync in (True, False):
            storage = LocalStorage(Path(tmp) / f"files-{fsync}-{round_}", fsync=fsync)
            for _ in range(WRITES):
                data = os.urandom(300_000)
                started = time.perf_counter()
                storage.save(data)
                results[fsync].append((time.perf_counter() - started) * 1000)
    return results


def bench_sqlite(tmp):
    results = {"FULL": [], "NORMAL": []}
    for round_ in range(ROUNDS):
        for mode in ("FULL", "NORMAL"):
            connection = sqlite3.connect(Path(tmp) / f"commit-{mode}-{round_}.db", isolation_level=None)
            for pragma in ("journal_mode=WAL", "busy_timeout=5000", f"synchronous={mode}"):
                connection.execute(f"PRAGMA {pragma}")
            connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)")
            for _ in range(COMMITS):
                started = time.perf_counter()
                connection.execute("BEGIN")
                connection.execute("INSERT INTO t (body) VALUES (?)", ("x" * 1000,))
                connection.execute("COMMIT")
                results[mode].append((time.perf_counter() - started) * 1000)
            connection.close()
    return results


def _journey_app(tmp, durable):
    from sqlalchemy import event

    from commune import create_app
    from commune.extensions import db
    from commune.files.storage import LocalStorage

    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/journey-{durable}.db",
                      "COMMUNE_DATA_DIR": f"{tmp}/data-{durable}", "COMMUNE_SEND_NOTICES": False,
                      **{f"COMMUNE_{n}_LIMIT": "100000 per minute" for n in ("UPLOAD", "DRAFT", "SUBMIT")}})
    logging.getLogger("commune.request").setLevel(logging.WARNING)
    with app.app_context():
        if not durable:  # what the site did before: runs after the app's own pragmas
            event.listen(db.engine, "connect", lambda conn, _r: conn.execute("PRAGMA synchronous=NORMAL"))
            app.extensions["commune_storage"] = LocalStorage(Path(tmp) / f"data-{durable}" / "files", fsync=False)
        db.create_all()
        from tests.factories import make_procedure

        procedure = make_procedure(name="Chứng thực (thử)", documents=("Bản chính",), postal=False)
        db.session.commit()
        slug = procedure.slug
    return app, slug


def _noisy_photo(seed):
    """A 1600x1200 JPEG with noise, so the stored page weighs what a phone photo does (~300 KB)."""
    import io
    import random

    from PIL import Image

    random.seed(seed)
    noise = Image.effect_noise((1600, 1200), 40).convert("RGB")
    tint = Image.new("RGB", noise.size, (random.randrange(256), 120, 90))
    buffer = io.BytesIO()
    Image.blend(noise, tint, 0.4).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def bench_journeys(tmp):
    from commune.extensions import db
    from tests.submissions.conftest import DETAILS, submit_key, upload

    apps = {durable: _journey_app(tmp, durable) for durable in (True, False)}
    results = {True: [], False: []}
    n = 0
    for _round in range(ROUNDS):
        for durable, (app, slug) in apps.items():
            with app.app_context():
                for _ in range(SUBMISSIONS):
                    n += 1
                    photo = _noisy_photo(n)
                    client = app.test_client()
                    started = time.perf_counter()
                    client.post(f"/thu-tuc/{slug}/nop-ho-so", data=DETAILS)
                    assert upload(client, 0, photo).status_code == 201
                    client.post("/nop-ho-so/anh-giay-to")
                    response = client.post("/nop-ho-so/nop", data={"submit_key": submit_key(client),
                                                                   "declaration": "y"})
                    assert response.status_code == 302
                    results[durable].append(time.perf_counter() - started)
                    db.session.remove()
    return results


def main():
    logging.getLogger("commune.request").setLevel(logging.WARNING)
    base = tempfile.gettempdir()
    fs = subprocess.run(["df", "-T", base], capture_output=True, text=True).stdout.splitlines()[-1].split()[1]
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("COMMUNE_INSTANCE_PATH", str(Path(tmp) / "instance"))
        print(f"disk: {base} ({fs}); load {os.getloadavg()[0]:.1f} at start")
        storage = bench_storage(tmp)
        print(f"\n1. storage.save() of a 300 KB page ({WRITES * ROUNDS} writes each)")
        print(f"{'':34} {'median ms':>10} {'p95 ms':>8}")
        for fsync, label in ((False, "no fsync (before)"), (True, "fsync file + folder (now)")):
            median, p95 = _stats(storage[fsync])
            print(f"{label:34} {median:>10.2f} {p95:>8.2f}")

        commits = bench_sqlite(tmp)
        print(f"\n2. one SQLite commit, WAL ({COMMITS * ROUNDS} commits each)")
        print(f"{'':34} {'median ms':>10} {'p95 ms':>8}")
        for mode, label in (("NORMAL", "synchronous=NORMAL (before)"), ("FULL", "synchronous=FULL (now)")):
            median, p95 = _stats(commits[mode])
            print(f"{label:34} {median:>10.2f} {p95:>8.2f}")

        journeys = bench_journeys(tmp)
        print(f"\n3. whole submission in-process: draft, one noisy 1600x1200 photo, submit "
              f"({SUBMISSIONS * ROUNDS} each)")
        print(f"{'':34} {'median ms':>10} {'p95 ms':>8} {'per s':>7}")
        for durable, label in ((False, "NORMAL, no fsync (before)"), (True, "FULL + fsync (now)")):
            values = journeys[durable]
            median, p95 = _stats([v * 1000 for v in values])
            print(f"{label:34} {median:>10.1f} {p95:>8.1f} {len(values) / sum(values):>7.2f}")
        print(f"\nload average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
