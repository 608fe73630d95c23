"""`make bench` keeps every figure with the machine it came from, in bench/results/latest.json.

bench/run_all.py runs here on two fake scripts in a temporary folder (COMMUNE_BENCH_DIR) and writes
into another (COMMUNE_BENCH_RESULTS): no real benchmark runs, the repository's results stay untouched."""
import json
import os
import pathlib
import re
import subprocess
import sys
import textwrap

ROOT = pathlib.Path(__file__).resolve().parents[2]
RUN_ALL = ROOT / "bench" / "run_all.py"

FIGURES = '''
import json, os, pathlib
print("search: median 4.2 ms, p95 6.0 ms")
print("inbox: median 11.0 ms")
pathlib.Path(os.environ["COMMUNE_BENCH_RESULTS"], "figures.json").write_text(json.dumps({"median_ms": 4.2}))
'''
BROKEN = '''
import sys
print("filling the database")
sys.exit("no wrk on this machine")
'''


def run_all(tmp_path, *names):
    env = dict(os.environ, COMMUNE_BENCH_DIR=str(tmp_path / "bench"), COMMUNE_BENCH_RESULTS=str(tmp_path / "results"))
    env.pop("COMMUNE_BENCH_DATABASE_URL", None)  # never reach for a real PostgreSQL server from a test
    done = subprocess.run([sys.executable, str(RUN_ALL), *names], env=env, capture_output=True, text=True,
                          timeout=60)
    return done, json.loads((tmp_path / "results" / "latest.json").read_text(encoding="utf-8"))


def test_latest_json_keeps_each_scripts_figures_with_its_machine_and_merges_partial_runs(tmp_path):
    bench = tmp_path / "bench"
    bench.mkdir()
    (bench / "figures.py").write_text(textwrap.dedent(FIGURES))
    (bench / "broken.py").write_text(textwrap.dedent(BROKEN))
    (tmp_path / "results").mkdir()
    stale = tmp_path / "results" / "broken.json"  # left by some older run: not this run's figures
    stale.write_text('{"old": true}')
    os.utime(stale, (1_000_000_000, 1_000_000_000))

    done, latest = run_all(tmp_path, "figures.py", "broken.py")

    assert done.returncode != 0  # one benchmark failed: make bench fails
    assert "search: median 4.2 ms" in done.stdout  # streamed to the console as before
    assert done.stdout.startswith("# machine: ")
    machine = latest["machine"]
    assert machine["cores"] > 0
    assert machine["memory_mb"] > 0
    assert machine["sqlite"].count(".") == 2
    assert machine["python"].startswith(f"{sys.version_info.major}.{sys.version_info.minor}")
    assert len(machine["load_at_start"]) == 3
    assert machine["postgresql"] is None or re.fullmatch(r"\d+(\.\d+)*", machine["postgresql"])
    figures, broken = latest["scripts"]["figures.py"], latest["scripts"]["broken.py"]
    assert figures["returncode"] == 0
    assert figures["output"] == ["search: median 4.2 ms, p95 6.0 ms", "inbox: median 11.0 ms"]
    assert figures["results"] == {"median_ms": 4.2}
    assert figures["seconds"] >= 0
    assert figures["machine"] == machine
    assert broken["returncode"] == 1
    assert broken["output"] == ["filling the database", "no wrk on this machine"]  # stderr kept too
    assert "results" not in broken

    done, again = run_all(tmp_path, "figures.py")

    assert done.returncode == 0
    assert again["ran"] == ["figures.py"]
    assert again["scripts"]["broken.py"] == broken  # the script not rerun keeps its entry, date and machine
    assert again["scripts"]["figures.py"]["date"] >= figures["date"]
    assert not list((tmp_path / "results").glob(".latest-*"))  # no temporary file left behind


def test_an_unknown_script_name_is_refused_before_anything_runs(tmp_path):
    (tmp_path / "bench").mkdir()
    (tmp_path / "bench" / "figures.py").write_text(textwrap.dedent(FIGURES))
    env = dict(os.environ, COMMUNE_BENCH_DIR=str(tmp_path / "bench"), COMMUNE_BENCH_RESULTS=str(tmp_path / "results"))
    env.pop("COMMUNE_BENCH_DATABASE_URL", None)

    done = subprocess.run([sys.executable, str(RUN_ALL), "figures.py", "inbx.py"], env=env, capture_output=True,
                          text=True, timeout=60)

    assert done.returncode != 0
    assert "inbx.py" in done.stderr and "figures.py" in done.stderr  # says what exists
    assert not (tmp_path / "results" / "latest.json").exists()
