"""A 6 MB PDF the phone cannot shrink, sent on a 2G line (400 kbit/s, 400 ms) that drops on the way.

The file goes in chunks (tus 1.0); the link is cut between two chunks, then the villager leaves
the page and comes back: each time the script asks the server where its copy ends and goes on
from there. The server receives each byte about once, stores exactly one page, and nothing the
villager typed is lost. The file takes about two minutes on that link, so the test runs once, in
the SQLite pass: the bytes on the wire do not depend on the database (the PostgreSQL pass keeps
the tus server's own tests, tests/uploads/)."""
import io
import random

import pytest
import sqlalchemy as sa
from PIL import Image

from commune.dossiers.models import Dossier
from commune.extensions import db
from commune.files import resumable
from tests.browser.journeys import SLUG, fill_birth_questions, fill_details, stored_files
from tests.conftest import PG_URL

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(bool(PG_URL), reason="two minutes of 2G link: run once, in the SQLite pass")]

LINK = {"offline": False, "latency": 400, "downloadThroughput": 50_000, "uploadThroughput": 50_000}
SIZE = 6_000_000  # the iPhone HEIC: about 120 s at 400 kbit/s, just over the old 120 s give-up


def unshrinkable_pdf(path):
    """A one-page PDF of a noisy scan, just over SIZE bytes (browsers do not decode PDFs: no shrinking)."""
    rng = random.Random(7)
    side = 2600
    image = Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3))
    buffer = io.BytesIO()
    image.save(buffer, format="PDF", resolution=150, quality=90)
    path.write_bytes(buffer.getvalue())
    return path


def test_a_big_pdf_on_a_cut_2g_line_arrives_once_without_paying_twice(page, live_server, tmp_path, monkeypatch):
    received = []
    append = resumable.append

    def counting(upload_id, owner, headers, stream, content_length):
        received.append(content_length)
        return append(upload_id, owner, headers, stream, content_length)

    monkeypatch.setattr(resumable, "append", counting)  # the live server runs in this process
    pdf = unshrinkable_pdf(tmp_path / "giay-chung-sinh-vneid.pdf")
    size = pdf.stat().st_size
    assert size >= SIZE

    scripts = []
    page.on("request", lambda r: "upload-resumable.js" in r.url and scripts.append(r.url))
    page.goto(live_server(f"/thu-tuc/{SLUG}/nop-ho-so"))
    fill_details(page)
    page.click("text=Lưu và tiếp tục")
    fill_birth_questions(page)
    page.click("text=Lưu và tiếp tục")
    assert page.url.endswith("/nop-ho-so/anh-giay-to")

    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", LINK)
    patches = []

    def cut_and_leave(route):
        if route.request.method != "PATCH":
            return route.continue_()
        patches.append(route.request.url)
        if len(patches) in (3, 5):  # between two chunks: the next one never leaves the phone
            cdp.send("Network.emulateNetworkConditions", {**LINK, "offline": True})
            return route.abort("internetdisconnected")
        return route.continue_()

    page.route("**/tai-len-tiep/*", cut_and_leave)
    assert scripts == []  # the resumable client is fetched only for a file the phone cannot shrink
    page.set_input_files("#slot-1-pick", str(pdf))
    page.wait_for_selector("#part-1 .upload-bytes:has-text('còn khoảng')", timeout=90000)  # a busy CI machine
    assert " MB" in page.inner_text("#part-1 .upload-bytes")

    # The first cut: the villager sees where it stopped; it goes on by itself when the link returns.
    status = page.locator("#part-1 .upload-status:has-text('Mất kết nối — sẽ gửi tiếp từ')")
    status.wait_for(timeout=60000)
    assert "%" in status.inner_text()
    page.wait_for_timeout(1500)
    cdp.send("Network.emulateNetworkConditions", LINK)
    # The second cut: the villager gives up waiting, leaves the page, and comes back later.
    for _tick in range(120):
        if len(patches) >= 5:
            break
        page.wait_for_timeout(500)
    status.wait_for(timeout=10000)
    assert len(patches) == 5
    cdp.send("Network.emulateNetworkConditions", LINK)
    page.goto(live_server("/nop-ho-so/kiem-tra"))
    page.goto(live_server("/nop-ho-so/anh-giay-to"))
    page.locator("#files-1 li.photo").wait_for(timeout=300000)  # resumed from IndexedDB, not re-picked

    assert sum(received) <= 1.15 * size, (sum(received), size)
    assert sum(received) >= size
    assert [(f[0], f[4]) for f in stored_files(live_server)] == [(1, "application/pdf")]
    page.reload()
    assert page.locator("#files-1 li.photo").count() == 1 and page.locator(".upload-item").count() == 0
    with live_server.app.app_context():
        dossier = db.session.scalars(sa.select(Dossier)).one()
        assert dossier.applicant_name == "Lò Thị Hoa" and dossier.form_data["child_name"] == "Lò Văn Minh"
    errors = [e for e in page.console_errors if "ERR_INTERNET_DISCONNECTED" not in e and "ERR_FAILED" not in e]
    assert errors == []
