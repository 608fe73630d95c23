"""Benchmark: requests per second of the real site against its ceilings, in one run.

Run: .venv/bin/python bench/throughput.py [--duration 8] [--connections 8,32]
Needs `wrk` (Debian package wrk). Starts, on this machine and with the same thread count:
- the real site (`flask serve`, waitress, a fresh SQLite database with the real catalog);
- a minimal Flask app answering the very bytes the site answered (bench/ceiling.py flask);
- a bare WSGI callable answering the same bytes (bench/ceiling.py wsgi);
then drives each URL on each server with wrk (Accept-Encoding: br, as phones send) and prints
req/s, p50/p95/p99 and the ratios site ÷ Flask and site ÷ WSGI. Machines here are shared and
noisy, so the ratios (measured minutes apart in the same run) are the figures to compare.
Writes the figures to bench/results/throughput.json.
"""
import argparse
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
THREADS = 8
URLS = ("/", "/thu-tuc/dang-ky-khai-sinh", "/tim-kiem?q=khai+sinh", "/api/procedures", "/robots.txt",
        "/healthz")
SKIPPED_HEADERS = {"date", "server", "content-length", "set-cookie", "connection"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not answer in {timeout} s")


def fetch(base, path):
    request = urllib.request.Request(base + path, headers={"Accept-Encoding": "br"})
    with urllib.request.urlopen(request) as response:
        headers = {k: v for k, v in response.headers.items() if k.lower() not in SKIPPED_HEADERS}
        return {"status": response.status, "headers": headers,
                "body": base64.b64encode(response.read()).decode()}


def start_site(tmp, port):
    env = dict(os.environ, COMMUNE_INSTANCE_PATH=str(tmp / "instance"), COMMUNE_DATA_DIR=str(tmp / "data"),
               COMMUNE_HOST="127.0.0.1", COMMUNE_PORT=str(port), COMMUNE_THREADS=str(THREADS),
               COMMUNE_PUBLIC_URL=f"http://127.0.0.1:{port}", COMMUNE_SEND_NOTICES="0", FLASK_APP="app")
    env.pop("COMMUNE_DATABASE_URL", None)
    subprocess.run([str(BIN / "flask"), "setup"], cwd=ROOT, env=env, check=True, capture_output=True)
    return subprocess.Popen([str(BIN / "flask"), "serve"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def start_ceiling(kind, answers_file, port):
    return subprocess.Popen([sys.executable, str(ROOT / "bench" / "ceiling.py"), kind, str(answers_file),
                             str(port), str(THREADS)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def drive(url, connections, duration):
    result = subprocess.run(
        ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{duration}s", "--latency",
         "-H", "Accept-Encoding: br", "-s", str(ROOT / "bench" / "wrk_report.lua"), url],
        capture_output=True, text=True, check=True)
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    return figures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--connections", default="8")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt install wrk)")
    levels = [int(n) for n in args.connections.split(",")]
    tmp = Path(tempfile.mkdtemp(prefix="bench-throughput-"))
    ports = {"site": free_port(), "flask": free_port(), "wsgi": free_port()}
    servers = [start_site(tmp, ports["site"])]
    try:
        wait_for(f"http://127.0.0.1:{ports['site']}/healthz")
        answers = {path: fetch(f"http://127.0.0.1:{ports['site']}", path) for path in URLS}
        answers_file = tmp / "answers.json"
        answers_file.write_text(json.dumps(answers))
        servers += [start_ceiling("flask", answers_file, ports["flask"]),
                    start_ceiling("wsgi", answers_file, ports["wsgi"])]
        for name in ("flask", "wsgi"):
            wait_for(f"http://127.0.0.1:{ports[name]}/robots.txt")
        rows = []
        print(f"{THREADS} threads per server, wrk {args.duration} s per cell, Accept-Encoding: br")
        print("| page | conns | site req/s | Flask req/s | WSGI req/s | site ÷ Flask | site ÷ WSGI "
              "| site p50 / p95 / p99 ms | bytes |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for path in URLS:
            size = len(base64.b64decode(answers[path]["body"]))
            for connections in levels:
                cell = {name: drive(f"http://127.0.0.1:{ports[name]}{path}", connections, args.duration)
                        for name in ("site", "flask", "wsgi")}
                site = cell["site"]
                row = {"page": path, "connections": connections, "bytes": size,
                       **{f"{name}_rps": round(cell[name]["rps"], 1) for name in cell},
                       "site_over_flask": round(site["rps"] / cell["flask"]["rps"], 2),
                       "site_over_wsgi": round(site["rps"] / cell["wsgi"]["rps"], 2),
                       "site_p50_ms": site["p50"] / 1000, "site_p95_ms": site["p95"] / 1000,
                       "site_p99_ms": site["p99"] / 1000,
                       "errors": sum(cell[name]["errors"] + cell[name]["non_2xx"] for name in cell)}
                rows.append(row)
                print(f"| `{path}` | {connections} | {row['site_rps']:,.0f} | {row['flask_rps']:,.0f} | "
                      f"{row['wsgi_rps']:,.0f} | {row['site_over_flask']:.2f} | {row['site_over_wsgi']:.2f} | "
                      f"{row['site_p50_ms']:.1f} / {row['site_p95_ms']:.1f} / {row['site_p99_ms']:.1f} | "
                      f"{size:,} |", flush=True)
        out = ROOT / "bench" / "results" / "throughput.json"
        out.write_text(json.dumps({"threads": THREADS, "duration_s": args.duration, "rows": rows}, indent=1))
        print(f"written: {out.relative_to(ROOT)}")
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
