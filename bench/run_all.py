"""Run every benchmark in bench/ and print their figures, with the machine they ran on.

`make bench` runs this; paste its output into BENCHMARKS.md.
"""
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ("catalog_search.py", "page_weight.py", "photo_pipeline.py", "uploads.py", "tracking.py", "inbox.py",
           "reports.py", "login_timing.py", "durability.py", "throughput.py", "memory.py")


def machine():
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}, load {load:.1f} at start")


def main():
    print(f"# machine: {machine()}")
    print(f"# date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    failed = 0
    for name in SCRIPTS:
        print(f"\n## {name}", flush=True)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, str(HERE / name)], cwd=HERE.parent)
        failed += result.returncode != 0
        print(f"(took {time.perf_counter() - started:.0f} s)", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
