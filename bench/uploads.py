"""Benchmark: bytes on the wire and seconds per file kind on a 2G link (400 kbit/s, 400 ms), in Chromium.

Run: .venv/bin/python bench/uploads.py [--quick]
Each file is chosen on the photo step of a real draft (a live waitress server in this process, the
real catalog); the link is throttled with CDP. "cut" drops the link between two chunks for 2 s
(page.route aborts the next chunk). Bytes are the request bodies that reached the server (upload
POST and tus PATCH); seconds run from the pick to the thumbnail on the page. --quick divides the
file sizes by four (a smoke run, not the figures).
"""
import io
import os
import random
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

LINK = {"offline": False, "latency": 400, "downloadThroughput": 50_000, "uploadThroughput": 50_000}
CHROMIUM = os.environ.get("COMMUNE_CHROMIUM", "/usr/bin/chromium")


def noise(width, height, seed):
    rng = random.Random(seed)
    from PIL import Image

    return Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))


def camera_jpeg(path, scale):
    """A 12 MP camera JPEG (4000×3000): smooth with some texture, as a page photographed."""
    from PIL import Image, ImageDraw, ImageFilter

    width, height = int(4000 * scale ** 0.5), int(3000 * scale ** 0.5)
    image = Image.new("RGB", (width, height), (240, 236, 228))
    draw = ImageDraw.Draw(image)
    rng = random.Random(1)
    for y in range(60, height - 60, 48):
        draw.line((80, y, width - 80 - rng.randint(0, 800), y), fill=(40, 40, 50), width=6)
    image = Image.blend(image.filter(ImageFilter.GaussianBlur(1)), noise(width, height, 2), 0.08)
    image.save(path, format="JPEG", quality=92)
    return path


def heic(path, target):
    """An iPhone-like HEIC of about `target` bytes (Chromium cannot decode it: it goes whole)."""
    import pillow_heif

    pillow_heif.register_heif_opener()  # the HEIF writer too

    side = 1200
    while True:
        buffer = io.BytesIO()
        noise(side, side, 3).save(buffer, format="HEIF", quality=90)
        if buffer.tell() >= target or side > 4000:
            break
        side = int(side * (target / buffer.tell()) ** 0.5) + 16
    path.write_bytes(buffer.getvalue())
    return path


def pdf(path, target):
    """A VNeID-like PDF of about `target` bytes: one scanned page."""
    side = 1200
    while True:
        buffer = io.BytesIO()
        noise(side, side, 4).save(buffer, format="PDF", resolution=150, quality=90)
        if buffer.tell() >= target * 0.97 or side > 5000:
            break
        side = int(side * (target / buffer.tell()) ** 0.5) + 8
    path.write_bytes(buffer.getvalue())
    return path


def serve(tmp):
    from waitress.server import create_server

    from commune import create_app
    from commune.catalog.loader import load_catalog, read_catalog
    from commune.extensions import db

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    os.environ["COMMUNE_INSTANCE_PATH"] = str(Path(tmp) / "instance")
    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/u.db",
                      "COMMUNE_DATA_DIR": str(Path(tmp) / "data"), "COMMUNE_SEND_NOTICES": False,
                      "COMMUNE_PUBLIC_URL": f"http://127.0.0.1:{port}", "COMMUNE_UPLOAD_LIMIT": "1000 per minute",
                      "COMMUNE_DRAFT_LIMIT": "1000 per minute", "COMMUNE_UPLOAD_DAILY_MB": 0})
    import logging

    logging.getLogger("commune.request").setLevel(logging.WARNING)
    with app.app_context():
        db.create_all()
        load_catalog(read_catalog())
        db.session.commit()
    wire = {"bytes": 0}
    inner = app.wsgi_app

    def counting(environ, start_response):
        if environ.get("REQUEST_METHOD") in ("POST", "PATCH") and "tai-len" in environ.get("PATH_INFO", ""):
            wire["bytes"] += int(environ.get("CONTENT_LENGTH") or 0)
        return inner(environ, start_response)

    app.wsgi_app = counting
    server = create_server(app, host="127.0.0.1", port=port, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    return app, f"http://127.0.0.1:{port}", wire


def draft(app):
    import sqlalchemy as sa

    from commune.catalog.models import Procedure
    from commune.extensions import db
    from commune.submissions.services import create_draft

    with app.app_context():
        procedure = db.session.scalar(sa.select(Procedure).where(Procedure.slug == "dang-ky-khai-sinh"))
        dossier, token = create_draft(procedure)
        dossier.applicant_name, dossier.applicant_id_number = "Lò Thị Hoa", "001190012345"
        db.session.commit()
        return token


def run(browser, app, base, wire, path, cut):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{base}/tiep-tuc/{draft(app)}")
    page.goto(f"{base}/nop-ho-so/anh-giay-to")
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", LINK)
    patches = []

    def route(request_route):
        if request_route.request.method == "PATCH":
            patches.append(1)
            if cut and len(patches) == 3:
                cdp.send("Network.emulateNetworkConditions", {**LINK, "offline": True})
                request_route.abort("internetdisconnected")
                cut_at.append(time.perf_counter())
                return
        request_route.continue_()

    cut_at = []
    page.route("**/tai-len-tiep/*", route)
    wire["bytes"] = 0
    started = time.perf_counter()
    page.set_input_files("#slot-1-pick", str(path))
    while not page.locator("#files-1 li.photo").count():
        page.wait_for_timeout(250)
        if cut_at and time.perf_counter() - cut_at[0] > 2 and cut_at[0] > 0:
            cdp.send("Network.emulateNetworkConditions", LINK)
            cut_at[0] = -1
        if time.perf_counter() - started > 900:
            raise SystemExit(f"{path.name}: no thumbnail after 900 s")
    seconds = time.perf_counter() - started
    context.close()
    return wire["bytes"], seconds


def main():
    quick = "--quick" in sys.argv
    scale = 0.25 if quick else 1.0
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        files = [("12 MP JPEG (shrunk on the phone)", camera_jpeg(tmp / "camera.jpg", scale), False),
                 ("6 MB HEIC", heic(tmp / "iphone.heic", int(6_000_000 * scale)), True),
                 ("10 MB PDF", pdf(tmp / "vneid.pdf", int(10_000_000 * scale)), True)]
        app, base, wire = serve(tmp)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            print(f"{'file':<34} {'size':>10} {'cut':>4} {'on the wire':>12} {'× file':>7} {'seconds':>8} "
                  f"{'raw s':>6} {'× raw':>6}")
            for label, path, resumable in files:
                size = path.stat().st_size
                raw = size / LINK["uploadThroughput"]
                for cut in ((False, True) if resumable else (False,)):
                    sent, seconds = run(browser, app, base, wire, path, cut)
                    print(f"{label:<34} {size:>10} {'yes' if cut else 'no':>4} {sent:>12} {sent / size:>7.2f} "
                          f"{seconds:>8.1f} {raw:>6.0f} {seconds / raw:>6.2f}", flush=True)
            browser.close()
    print("\nlink: 400 kbit/s up and down, 400 ms latency (CDP); cut: link off 2 s between chunks 2 and 3")
    print("× raw: seconds over the file's own transfer time at 50 kB/s (target ≤ 1.3 for unshrinkable files)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
