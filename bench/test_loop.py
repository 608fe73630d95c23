"""How long the test loop takes from a clean clone: `make test-fast` and `make test` (issue #30: ≤ 3 and ≤ 15 min).

Run: .venv/bin/python bench/test_loop.py [--fast-only] [--repo PATH]
     (not in `make bench`: it takes the length of a CI run; run it by hand after changing the suite)

It clones the repository's committed HEAD into a temporary folder (nothing of the working tree comes
along: no .venv, no node_modules), then times, one after the other:
  1. the install (`make install vendor`: pip and npm, the first step of both commands);
  2. `make test-fast` (SQLite, no browser, no drills);
  3. `make test` as `.ci/run` runs it: lint, the suite on SQLite, then on PostgreSQL, a throwaway
     PostgreSQL cluster started from the machine's own binaries the way `.ci/run` starts it.
Each line printed is one figure; the figure the issue counts for `make test` is install + suite,
what CI pays on a fresh machine. The machine and its load are printed first: a loaded machine
gives longer times, so note the load beside the figures.
"""
import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def timed(label, command, cwd, env=None):
    start = time.monotonic()
    result = subprocess.run(command, cwd=cwd, env=env, shell=True, capture_output=True, text=True)
    seconds = time.monotonic() - start
    log = Path(tempfile.gettempdir()) / f"test-loop-{label.split()[0]}-{label.split()[1] if ' ' in label else ''}.log"
    log.write_text(result.stdout + result.stderr, encoding="utf-8")
    summary = [line for line in (result.stdout + result.stderr).splitlines() if " passed" in line or "FAILED" in line]
    print(f"{label}: {seconds / 60:.1f} min ({seconds:.0f} s), exit {result.returncode} (output: {log})", flush=True)
    for line in summary[-12:]:
        print(f"    {line}", flush=True)
    if result.returncode:
        sys.exit(f"{label} failed")
    return seconds


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--fast-only", action="store_true", help="time only the install and make test-fast")
    parser.add_argument("--repo", default=str(HERE.parent), help="the repository to clone (its HEAD)")
    args = parser.parse_args()

    print(f"# machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, load {os.getloadavg()[0]:.1f} at start", flush=True)
    with tempfile.TemporaryDirectory(prefix="commune-loop-") as folder:
        clone = Path(folder) / "clone"
        subprocess.run(["git", "clone", "-q", args.repo, str(clone)], check=True)
        install = timed("install (make install vendor)", "make install vendor", clone)
        fast = timed("make test-fast", "make test-fast", clone)
        print(f"make test-fast from a clean clone, install included: {(install + fast) / 60:.1f} min", flush=True)
        if args.fast_only:
            return
        # .ci/run starts PostgreSQL and calls `make test`; the install is already done (make skips it).
        env = dict(os.environ, CI="true", PG_PORT=os.environ.get("PG_PORT", "54341"))
        full = timed("make test (.ci/run: SQLite, then PostgreSQL)", "bash .ci/run", clone, env)
        print(f"make test from a clean clone, install included: {(install + full) / 60:.1f} min", flush=True)


if __name__ == "__main__":
    main()
