"""Benchmark: catalog search on 500 procedures (the real catalog duplicated under new slugs).

Run: .venv/bin/python bench/catalog_search.py   (SQLite in a temp folder; nothing else touched)
Set COMMUNE_BENCH_DATABASE_URL to an empty PostgreSQL database to measure there instead.
Prints median / p95 milliseconds per query for the search service and for the whole HTTP
request (htmx fragment and full page), and the one-off cost of rebuilding the in-memory index.
"""
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET = 500
QUERIES = [
    "dang ky khai sinh", "khai sinh", "KHAI SINH", "ket hon", "chung thuc", "chung thu",
    "giay khai sinh", "so ho khau", "làm giấy khai sinh", "xac nhan doc than", "công chứng",
    "thu tuc ket hon nhu the nao", "so do", "k", "xyzzy", "ho kinh doanh tam ngung",
]
REPEATS = 40


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def build_app(tmp):
    os.environ.setdefault("COMMUNE_INSTANCE_PATH", str(Path(tmp) / "instance"))
    from commune import create_app

    url = os.environ.get("COMMUNE_BENCH_DATABASE_URL") or f"sqlite:///{Path(tmp) / 'bench.db'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                      "COMMUNE_DATA_DIR": str(Path(tmp) / "data")})
    logging.getLogger("commune.request").setLevel(logging.WARNING)
    return app


def fill(db):
    """The real catalog, then copies with new slugs (and no national code) up to TARGET procedures."""
    from commune.catalog.loader import load_catalog, read_catalog

    data = read_catalog()
    originals = list(data["procedures"])
    copies, n = [], 0
    while len(originals) + len(copies) < TARGET:
        source = originals[n % len(originals)]
        copy = dict(source, slug=f"{source['slug']}-ban-{n}", code=None, popularity=None,
                    name=f"{source['name']} (bản {n // len(originals) + 2})")
        copies.append(copy)
        n += 1
    data["procedures"] = originals + copies
    load_catalog(data)
    db.session.commit()
    return len(data["procedures"])


def timed(fn, repeats, cpu=None):
    """Wall-clock ms per call; CPU ms (this process) appended to `cpu` when given.

    On a busy shared machine the wall clock mostly measures waiting for a core; the CPU time
    is what the request itself costs.
    """
    samples = []
    for _ in range(repeats):
        started, started_cpu = time.perf_counter(), time.process_time()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
        if cpu is not None:
            cpu.append((time.process_time() - started_cpu) * 1000)
    return samples


def main():
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(tmp)
        from commune.catalog import search as search_module
        from commune.extensions import db

        with app.app_context():
            db.create_all()
            count = fill(db)
            backend = db.engine.dialect.name
            with app.test_request_context():
                rebuild_cpu, service_cpu, first_cpu, fragment_cpu, page_cpu = [], [], [], [], []
                rebuild = timed(lambda: (app.extensions.pop("catalog_search", None), search_module.entries()), 10,
                                rebuild_cpu)
                service, found = [], {}
                for query in QUERIES:
                    search_module.search(query)  # warm
                    service += timed(lambda q=query: search_module.search(q), REPEATS, service_cpu)
                    result = search_module.search(query)
                    found[query] = (len(result.procedures), len(result.mentions))
            client = app.test_client()
            fragment, page, first = [], [], []
            for query in QUERIES:
                url = "/tim-kiem?q=" + query.replace(" ", "+")
                for _ in range(5):
                    app.extensions.pop("catalog_pages", None)  # a query nobody asked before: full render
                    first += timed(lambda u=url: client.get(u, headers={"HX-Request": "true"}), 1, first_cpu)
            for query in QUERIES:
                url = "/tim-kiem?q=" + query.replace(" ", "+")
                client.get(url, headers={"HX-Request": "true"})
                fragment += timed(lambda u=url: client.get(u, headers={"HX-Request": "true"}), REPEATS // 2,
                                  fragment_cpu)
                page += timed(lambda u=url: client.get(u), REPEATS // 2, page_cpu)
            db.session.remove()
            db.drop_all() if os.environ.get("COMMUNE_BENCH_DATABASE_URL") else None

    print(f"catalog search benchmark: {count} procedures on {backend}, {len(QUERIES)} queries")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'measure':<44} {'wall median':>11} {'wall p95':>9} {'CPU median':>11} {'CPU p95':>8} {'n':>5}")
    rows = [
        ("search() service (version check + ranking)", service, service_cpu),
        ("GET htmx fragment, query not seen before", first, first_cpu),
        ("GET htmx fragment, repeated query", fragment, fragment_cpu),
        ("GET full page, repeated query", page, page_cpu),
        ("rebuild in-memory index (after an edit)", rebuild, rebuild_cpu),
    ]
    for label, samples, cpu in rows:
        print(f"{label:<44} {statistics.median(samples):>11.2f} {percentile(samples, 0.95):>9.2f} "
              f"{statistics.median(cpu):>11.2f} {percentile(cpu, 0.95):>8.2f} {len(samples):>5}")
    print()
    print(f"{'query':<32} {'by name':>8} {'in docs':>8}")
    for query, (by_name, by_docs) in found.items():
        print(f"{query:<32} {by_name:>8} {by_docs:>8}")


if __name__ == "__main__":
    main()
