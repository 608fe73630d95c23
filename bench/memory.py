"""Benchmark: the server's memory and cold start (the real `flask serve`, waitress, 8 threads).

Run: .venv/bin/python bench/memory.py [--requests 10000]   (needs `wrk`)
Prints the time from starting the process to the first 200 (the health check, then the first
catalog page), the RSS idle, after N mixed requests (bench/wrk_mixed.lua: catalog pages, 500
different searches, the API, the tracking form, unknown pages), and which heavy libraries the
idle server has imported. The peak while decoding the largest accepted image is measured by
bench/upload_memory.py.
"""
import argparse
import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.security.upload_load import UploadSite  # noqa: E402

HEAVY = ("openpyxl", "pypdf", "pillow_heif", "PIL.Image", "psycopg", "segno", "holidays", "alembic")


def imported_heavy(site):
    """Which heavy libraries a freshly built app has imported (what the idle server holds)."""
    code = ("import sys; from commune import create_app; create_app(); "
            f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=site.env(), capture_output=True,
                            text=True, check=True)
    return result.stdout.strip().splitlines()[-1].split(",") if result.stdout.strip() else []


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site = UploadSite(Path(tmp) / "site", threads=8)
        site.setup()
        started = time.monotonic()
        site.start()
        healthy = time.monotonic() - started
        with urllib.request.urlopen(site.url + "/") as response:
            assert response.status == 200
        first_page = time.monotonic() - started
        time.sleep(1)
        idle = site.memory()
        # Rough rate, then enough seconds for the wanted number of requests.
        probe = subprocess.run(["wrk", "-t2", "-c8", "-d2s", "-s", str(ROOT / "bench" / "wrk_mixed.lua"), site.url],
                               capture_output=True, text=True, check=True)
        rate = max(1, json.loads(probe.stdout.strip().splitlines()[-1])["requests"] / 2)
        seconds = max(2, round((args.requests - rate * 2) / rate))
        run = subprocess.run(["wrk", "-t2", "-c8", f"-d{seconds}s", "-s", str(ROOT / "bench" / "wrk_mixed.lua"),
                              site.url], capture_output=True, text=True, check=True)
        figures = json.loads(run.stdout.strip().splitlines()[-1])
        total = figures["requests"] + rate * 2
        time.sleep(1)
        after = site.memory()
        print(f"cold start: first /healthz 200 after {healthy:.2f} s, first catalog page after {first_page:.2f} s")
        print(f"RSS idle: {idle['VmRSS']} MB")
        print(f"RSS after {total:,.0f} mixed requests: {after['VmRSS']} MB (peak {after['VmHWM']} MB); "
              f"{figures['non_2xx']} answers not 2xx/3xx (the unknown pages' 404s)")
        print(f"heavy libraries loaded by the idle server: {', '.join(imported_heavy(site)) or 'none'}")
        site.stop()


if __name__ == "__main__":
    main()
