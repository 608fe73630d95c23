"""Benchmark: login answer times for an unknown name, a wrong password, a deactivated account and the right one.

Run: .venv/bin/python bench/login_timing.py   (temp SQLite, test client; no network)
An unknown name must cost what a known name with a wrong password costs (one scrypt check either
way), so the login page cannot list accounts. The kinds are interleaved, each attempt from its
own address so no back-off kicks in; a last line times an attempt refused while it waits.
"""
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

RUNS = 40
KINDS = (("unknown name", "khong-co-ai", "sai-mat-khau"),
         ("wrong password", "canbo", "sai-mat-khau"),
         ("deactivated, right password", "nghiviec", None),
         ("right password", "canbo", None))


def _row(label, walls, cpus):
    walls, cpus = sorted(walls), sorted(cpus)
    p95 = max(0, int(len(walls) * 0.95) - 1)
    return (f"{label:<30} {statistics.median(walls):>11.1f} {walls[p95]:>9.1f} "
            f"{statistics.median(cpus):>11.1f} {cpus[p95]:>8.1f} {len(walls):>5}")


def _measure(app, password):
    """{kind: (wall ms, CPU ms)} for the four kinds, then the refused-while-waiting attempts."""
    times = {label: ([], []) for label, _, _ in KINDS}
    address = 0
    for _ in range(RUNS):
        for label, name, given in KINDS:
            address += 1
            client = app.test_client()
            started, cpu = time.perf_counter(), time.thread_time()
            response = client.post("/dang-nhap", data={"username": name, "password": given or password},
                                   environ_base={"REMOTE_ADDR": f"10.{address // 65536}.{address // 256 % 256}"
                                                                f".{address % 256}"})
            times[label][1].append((time.thread_time() - cpu) * 1000)
            times[label][0].append((time.perf_counter() - started) * 1000)
            assert response.status_code == (302 if label == "right password" else 400), (label, response)

    waiting = ([], [])
    client = app.test_client()
    for _ in range(4):  # earn a wait at one address
        client.post("/dang-nhap", data={"username": "canbo", "password": "sai"},
                    environ_base={"REMOTE_ADDR": "10.250.0.1"})
    for _ in range(RUNS):
        started, cpu = time.perf_counter(), time.thread_time()
        response = client.post("/dang-nhap", data={"username": "canbo", "password": "sai"},
                               environ_base={"REMOTE_ADDR": "10.250.0.1"})
        waiting[1].append((time.thread_time() - cpu) * 1000)
        waiting[0].append((time.perf_counter() - started) * 1000)
        assert response.status_code == 429
    return times, waiting


def main():
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("COMMUNE_INSTANCE_PATH", str(Path(tmp) / "instance"))
        from commune import create_app
        from commune.extensions import db

        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/t.db", "COMMUNE_DATA_DIR": f"{tmp}/data",
                          "COMMUNE_LOGIN_LIMIT": "100000 per minute", "COMMUNE_SEND_NOTICES": False,
                          "COMMUNE_PUBLIC_URL": "http://localhost"})
        logging.getLogger("commune.request").setLevel(logging.WARNING)
        with app.app_context():
            db.create_all()
            from tests.factories import PASSWORD, make_user

            make_user("clerk", username="canbo")
            make_user("clerk", username="nghiviec").active = False
            db.session.commit()
        # The requests run outside that app context: each gets its own, as on a real server.
        times, waiting = _measure(app, PASSWORD)

        print(f"login timing: {RUNS} attempts of each kind, interleaved, SQLite, test client (ms)")
        print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print(f"{'attempt':<30} {'wall median':>11} {'wall p95':>9} {'CPU median':>11} {'CPU p95':>8} {'n':>5}")
        for label, (walls, cpus) in times.items():
            print(_row(label, walls, cpus))
        print(_row("refused while waiting", *waiting))


if __name__ == "__main__":
    main()
