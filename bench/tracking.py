"""Benchmark: tracking pages' weight and lookup timing (hit, wrong phone, missing code).

Run: .venv/bin/python bench/tracking.py   (temp SQLite, test client; no network)
Prints the compressed size of the lookup form, the receipt and the tracking page, and the median
time of 200 lookups of each kind: a wrong phone and a missing code should cost the same.
"""
import gzip
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

RUNS = 200


def main():
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("COMMUNE_INSTANCE_PATH", str(Path(tmp) / "instance"))
        from commune import create_app
        from commune.extensions import db

        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/t.db", "COMMUNE_DATA_DIR": f"{tmp}/data",
                          "COMMUNE_LOOKUP_LIMIT": "100000 per minute", "COMMUNE_SEND_NOTICES": False})
        logging.getLogger("commune.request").setLevel(logging.WARNING)
        with app.app_context():
            db.create_all()
            from commune.dossiers.attachments import attach_file
            from commune.dossiers.workflow import transition
            from tests.factories import make_procedure, make_user
            from tests.tracking.conftest import new_dossier, photo

            procedure = make_procedure(name="Đăng ký khai sinh", documents=("Tờ khai", "Giấy chứng sinh"))
            dossier = new_dossier(procedure=procedure, status="draft")
            attach_file(dossier, photo(), "a.jpg", document_index=0)
            attach_file(dossier, photo((1, 2, 3)), "b.jpg", document_index=1)
            transition(dossier, "submitted")
            clerk = make_user("clerk")
            transition(dossier, "received", clerk)
            transition(dossier, "processing", clerk)
            db.session.commit()
            code, phone = dossier.code, dossier.applicant_phone

        client = app.test_client()
        client.post("/tra-cuu", data={"code": code, "secret": phone})
        print(f"{'page':28} {'html':>8} {'gzip':>8}")
        for name, url in (("lookup form", "/tra-cuu"), ("receipt", f"/ho-so/{code}/bien-nhan"),
                          ("tracking page (processing)", f"/ho-so/{code}")):
            body = client.get(url).data
            print(f"{name:28} {len(body):>7}B {len(gzip.compress(body)):>7}B")

        cases = {"right phone": (code, phone), "wrong phone": (code, "0987654321"),
                 "missing code": ("QQQQQQQQQQ", phone)}
        print(f"\n{'lookup':28} {'median ms':>10} {'p90 ms':>8}")
        for name, (typed_code, typed_phone) in cases.items():
            other = app.test_client()
            times = []
            for _ in range(RUNS):
                started = time.perf_counter()
                other.post("/tra-cuu", data={"code": typed_code, "secret": typed_phone})
                times.append((time.perf_counter() - started) * 1000)
            times.sort()
            print(f"{name:28} {statistics.median(times):>10.2f} {times[int(RUNS * 0.9)]:>8.2f}")


if __name__ == "__main__":
    main()
