"""Benchmark: bytes a phone transfers for the catalog pages (budget: HTML ≤ 14 KB compressed,
cold visit ≤ 30 KB with CSS and JS, warm visit ≤ 5 KB).

Run: .venv/bin/python bench/page_weight.py   (temp SQLite with the real catalog, via the test client)
Each page is fetched as a gzip-only-era browser and as a brotli browser would ask; the stylesheet and scripts it links
are fetched the same way and added for the cold visit. The warm visit revalidates the HTML with
If-None-Match (CSS/JS are cached for a year under fingerprinted URLs) and counts the body.
"""
import logging
import os
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PAGES = [
    ("home", "/"),
    ("search results", "/tim-kiem?q=khai+sinh"),
    ("search, live fragment", "/tim-kiem?q=khai+sinh"),  # htmx
    ("search, nothing found", "/tim-kiem?q=xyzzy"),
    ("field (Hộ tịch, 17)", "/linh-vuc/ho-tich"),
    ("procedure: khai sinh", "/thu-tuc/dang-ky-khai-sinh"),
    ("procedure: largest", None),
    ("printable guide", "/thu-tuc/dang-ky-khai-sinh/huong-dan-in"),
]
HTML_BUDGET, COLD_BUDGET, WARM_BUDGET = 14 * 1024, 30 * 1024, 5 * 1024
# What real browsers send: an older one, and any current one (Chrome/Firefox/Safari on a phone).
# Note: static files are streamed responses, which Flask-Compress compresses only with the
# COMPRESS_ALGORITHM_STREAMING list (br, deflate by default): hence "gzip, deflate", not "gzip".
ENCODINGS = (("gz", "gzip, deflate"), ("br", "gzip, deflate, br"))
ASSET = re.compile(r'<(?:link rel="stylesheet" href|script src)="([^"]+)"')


def build_app(tmp):
    os.environ.setdefault("COMMUNE_INSTANCE_PATH", str(Path(tmp) / "instance"))
    from commune import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/w.db",
                      "COMMUNE_DATA_DIR": str(Path(tmp) / "data")})
    logging.getLogger("commune.request").setLevel(logging.WARNING)
    return app


def largest_procedure(client, slugs):
    sizes = {slug: len(client.get(f"/thu-tuc/{slug}").data) for slug in slugs}
    return max(sizes, key=sizes.get)


def measure(client, url, encoding, htmx=False):
    headers = {"Accept-Encoding": encoding}
    if htmx:
        headers["HX-Request"] = "true"
    page = client.get(url, headers=headers)
    assert page.status_code == 200, (url, page.status_code)
    raw = len(client.get(url, headers={"HX-Request": "true"} if htmx else {}).data)
    html_text = client.get(url).get_data(as_text=True)
    assets = 0
    if not htmx:
        for href in ASSET.findall(html_text):
            asset = client.get(href.replace("&amp;", "&"), headers=headers)
            assert asset.status_code == 200, href
            assets += len(asset.data)
    warm = client.get(url, headers={**headers, "If-None-Match": page.headers.get("ETag", "")})
    return raw, len(page.data), assets, len(warm.data), warm.status_code


def main():
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(tmp)
        from commune.catalog.loader import load_catalog, read_catalog
        from commune.extensions import db

        with app.app_context():
            db.create_all()
            data = read_catalog()
            load_catalog(data)
            db.session.commit()
            client = app.test_client()
            biggest = largest_procedure(client, [p["slug"] for p in data["procedures"]])
            rows = []
            for label, url in PAGES:
                url = url or f"/thu-tuc/{biggest}"
                for name, encoding in ENCODINGS:
                    rows.append((label, url, name, *measure(client, url, encoding, htmx="live" in label)))
            db.session.remove()

    print(f"{'page':<24} {'enc':<4} {'html raw':>9} {'html sent':>10} {'css+js':>7} {'cold':>7} {'warm':>6}  budget")
    over = 0
    for label, _url, encoding, raw, html, assets, warm, warm_status in rows:
        cold = html + assets
        ok = html <= HTML_BUDGET and (cold <= COLD_BUDGET or "live" in label) and warm <= WARM_BUDGET
        over += not ok
        print(f"{label:<24} {encoding:<4} {raw:>9} {html:>10} {assets:>7} {cold:>7} {warm:>6}  "
              f"{'ok' if ok else 'OVER'}{' (304)' if warm_status == 304 else ''}")
    print(f"\nbytes are response bodies; largest procedure page: {biggest}")
    print(f"budgets: compressed HTML ≤ {HTML_BUDGET} B, cold ≤ {COLD_BUDGET} B, warm ≤ {WARM_BUDGET} B")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
