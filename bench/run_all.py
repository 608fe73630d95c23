"""Run the benchmarks in bench/, print their figures with the machine they ran on, and keep them.

Run: .venv/bin/python bench/run_all.py [script ...]   (`make bench` runs them all)

Each script's output streams to the console as it runs and is kept, with its return code, run time,
date and machine, in bench/results/latest.json (rewritten after each script: an interrupted run
keeps what ran). A script that leaves bench/results/<its name>.json while it runs (throughput.py)
has that file's content under its entry's "results". Naming scripts (`run_all.py inbox.py
reports.py`) runs only those; the other scripts' entries stay as the previous run left them, each
with its own date and machine. pg_scale.py (needs a PostgreSQL server, ~10 minutes) runs only
when named. Paste the figures into BENCHMARKS.md.

COMMUNE_BENCH_DIR and COMMUNE_BENCH_RESULTS point the scripts' folder and the results folder
elsewhere (the tests use them). COMMUNE_BENCH_DATABASE_URL, when set, is the PostgreSQL server
whose version is recorded.
"""
import json
import os
import platform
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg

HERE = Path(__file__).resolve().parent
BENCH = Path(os.environ.get("COMMUNE_BENCH_DIR") or HERE).resolve()  # scripts run from the repository's root
RESULTS = Path(os.environ.get("COMMUNE_BENCH_RESULTS") or HERE / "results").resolve()
LATEST = RESULTS / "latest.json"
SCRIPTS = ("catalog_search.py", "page_weight.py", "photo_pipeline.py", "uploads.py", "tracking.py", "inbox.py",
           "reports.py", "login_timing.py", "durability.py", "throughput.py", "memory.py")


def now():
    return datetime.now(UTC).isoformat(timespec="seconds")


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def memory_mb():
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) // 1024  # the file counts kB
    except (OSError, ValueError, IndexError):
        pass
    return None


def _major(binary):
    """15 for /usr/lib/postgresql/15/bin/postgres."""
    folder = binary.parent.parent.name
    return int(folder) if folder.isdigit() else -1


def postgresql_version():
    """(version, where it came from): the benchmark server's, else the newest installed, else (None, None)."""
    url = os.environ.get("COMMUNE_BENCH_DATABASE_URL")
    if url:
        try:
            with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://", 1), connect_timeout=3) as conn:
                return conn.execute("SHOW server_version").fetchone()[0].split()[0], "server"  # "15.18 (Debian …)"
        except psycopg.Error:
            pass
    for binary in sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=_major, reverse=True):
        try:
            done = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            continue
        found = re.search(r"\(PostgreSQL\) (\S+)", done.stdout)  # "postgres (PostgreSQL) 15.18 (Debian …)"
        if done.returncode == 0 and found:
            return found.group(1), "installed"
    return None, None


def machine():
    load = [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None
    postgresql, postgresql_from = postgresql_version()
    return {"cpu": cpu_model(), "cores": os.cpu_count(), "memory_mb": memory_mb(),
            "python": platform.python_version(), "os": f"{platform.system()} {platform.release()}",
            "sqlite": sqlite3.sqlite_version, "postgresql": postgresql, "postgresql_from": postgresql_from,
            "load_at_start": load}


def describe(m):
    parts = [m["cpu"] or "unknown CPU", f"{m['cores']} cores"]
    if m["memory_mb"]:
        parts.append(f"{m['memory_mb']} MB")
    parts += [f"Python {m['python']}", m["os"], f"SQLite {m['sqlite']}"]
    if m["postgresql"]:
        parts.append(f"PostgreSQL {m['postgresql']}" + (" (server)" if m["postgresql_from"] == "server" else ""))
    load = " / ".join(f"{x:.1f}" for x in m["load_at_start"]) if m["load_at_start"] else "unknown"
    parts.append(f"load {load} at start")
    return ", ".join(parts)


def chosen(args):
    """The scripts to run: all of SCRIPTS, or those named (`inbox.py`, `inbox` or `bench/inbox.py`)."""
    if not args:
        return list(SCRIPTS)
    names = []
    for arg in args:
        name = Path(arg).name
        name = name if name.endswith(".py") else f"{name}.py"
        if name == Path(__file__).name or not (BENCH / name).is_file():
            known = ", ".join(sorted(p.name for p in BENCH.glob("*.py") if p.name != Path(__file__).name))
            sys.exit(f"run_all.py: no benchmark {arg!r} in {BENCH} (there are: {known})")
        if name not in names:
            names.append(name)
    return names


def previous():
    """The scripts' entries of the last latest.json (kept for the scripts not run now), {} if none."""
    try:
        scripts = json.loads(LATEST.read_text(encoding="utf-8")).get("scripts")
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, AttributeError) as error:
        print(f"# {LATEST} could not be read ({error}): starting it afresh", flush=True)
        return {}
    return scripts if isinstance(scripts, dict) else {}


def run(name, the_machine):
    """Run one script, echoing its output line by line; its entry for latest.json."""
    date, wall_start, started = now(), time.time(), time.perf_counter()
    env = dict(os.environ, PYTHONUNBUFFERED="1", PYTHONIOENCODING="utf-8")  # lines as they come, not at exit
    output = []
    with subprocess.Popen([sys.executable, str(BENCH / name)], cwd=HERE.parent, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, encoding="utf-8", errors="replace") as child:
        for line in child.stdout:
            print(line, end="", flush=True)
            output.append(line.rstrip("\n"))
    entry = {"date": date, "machine": the_machine, "returncode": child.returncode,
             "seconds": round(time.perf_counter() - started, 1), "output": output}
    result_file = RESULTS / f"{Path(name).stem}.json"
    try:
        if result_file.stat().st_mtime >= wall_start - 1:  # written by this run, not left by an older one
            entry["results"] = json.loads(result_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        pass
    except (OSError, ValueError) as error:
        entry["results_error"] = f"{result_file.name}: {error}"
    return entry


def write(record):
    """Replace latest.json in one step: a reader sees the old file or the new one, never half of one."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=RESULTS, prefix=".latest-", suffix=".json",
                                     delete=False) as handle:
        try:
            json.dump(record, handle, ensure_ascii=False, indent=1)
            handle.write("\n")
        except BaseException:
            os.unlink(handle.name)
            raise
    os.replace(handle.name, LATEST)


def main(args):
    names = chosen(args)
    the_machine = machine()
    record = {"date": now(), "machine": the_machine, "ran": names, "scripts": previous()}
    print(f"# machine: {describe(the_machine)}")
    print(f"# date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    failed = 0
    for name in names:
        print(f"\n## {name}", flush=True)
        entry = run(name, the_machine)
        failed += entry["returncode"] != 0
        print(f"(took {entry['seconds']:.0f} s)", flush=True)
        record["scripts"][name] = entry
        write(record)
    print(f"\n# kept in {LATEST}", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main(sys.argv[1:])
