"""Helpers for the browser journeys: camera photos, the villager's steps in Chromium, the files stored."""
import random
import re

import sqlalchemy as sa
from PIL import Image, ImageDraw

from commune.dossiers.models import Dossier, DossierFile
from commune.extensions import db
from tests.browser.conftest import horizontal_overflow
from tests.journeys import qr_link, shown_key

ORIENTATION, GPS_IFD = 0x0112, 0x8825
SLUG = "dang-ky-khai-sinh"  # online (partly), with questions and postal return
REQUIRED_PARTS = (0, 1, 4)  # its required documents: form, birth certificate, ID card


def camera_photo(path, width=3000, height=2000, orientation=6, gps=True, seed=1):
    """A phone camera JPEG of a printed page (text-like lines), stored sideways with EXIF orientation and GPS."""
    rng = random.Random(seed)
    image = Image.new("RGB", (width, height), (245, 240, 230))
    draw = ImageDraw.Draw(image)
    image.paste((200, 30, 30), (0, 0, width // 8, height))  # a red margin, so rotation is visible
    for y in range(80, height - 80, 36):
        x = width // 8 + 40
        while x < width - 200:
            word = rng.randint(20, 120)
            draw.rectangle([x, y, x + word, y + 18], fill=(rng.randint(0, 60),) * 3)
            x += word + rng.randint(10, 25)
    exif = Image.Exif()
    if orientation:
        exif[ORIENTATION] = orientation
    if gps:
        exif[0x010F] = "PhoneMaker"
        exif.get_ifd(GPS_IFD).update({1: "N", 2: (21.0, 1.0, 30.0), 3: "E", 4: (105.0, 48.0, 12.0)})
    image.save(path, "JPEG", quality=90, exif=exif.tobytes())
    return str(path)


def fits_phone(page, where):
    page.wait_for_load_state()
    assert horizontal_overflow(page) <= 0, f"{where}: wider than a 360 px phone"


def stored_files(live_server, dossier_id=None):
    """(document_index, round, width, height, mime) of every stored page."""
    with live_server.app.app_context():
        query = sa.select(DossierFile).order_by(DossierFile.id)
        if dossier_id is not None:
            query = query.where(DossierFile.dossier_id == dossier_id)
        return [(f.document_index, f.round, f.width, f.height, f.mime) for f in db.session.scalars(query)]


def only_dossier(live_server):
    """(id, status, code) of the one dossier. Its lookup key is not in the database (only its keyed
    hash): read it from the receipt with `key_on_page`."""
    with live_server.app.app_context():
        dossier = db.session.scalars(sa.select(Dossier)).one()
        return dossier.id, dossier.status, dossier.code


def key_on_page(live_server, html):
    """The lookup key of the one dossier as `html` shows it, checked against the stored hash."""
    with live_server.app.app_context():
        return shown_key(html, db.session.scalars(sa.select(Dossier)).one())


def qr_link_of(live_server, code):
    """The receipt's QR link (/ho-so/<code>?k=<token>) of the dossier `code`, made from its stored hash."""
    with live_server.app.app_context():
        return qr_link(db.session.scalars(sa.select(Dossier).where(Dossier.code == code)).one())


def fill_details(page, name="Lò Thị Hoa", id_number="001190012345"):
    page.fill("#full_name", name)
    page.fill("#phone", "0912 345 678")
    page.fill("#id_number", id_number)
    page.fill("#village", "Bản Nà Cang")
    page.fill("#address", "Xã Mẫu, tỉnh Lào Cai")


def fill_birth_questions(page, skip=()):
    values = {"child_name": "Lò Văn Minh", "child_birth_place": "Trạm y tế xã Mẫu", "child_ethnicity": "Thái",
              "mother_name": "Lò Thị Hoa", "father_name": "Lò Văn Tâm"}
    for name, value in values.items():
        if name not in skip:
            page.fill(f"#{name}", value)
    if "child_birth_date" not in skip:
        page.fill("#child_birth_date", "2026-10-01")
    page.check("#child_sex-0")  # Nam
    page.check("#relationship-0")  # Cha hoặc mẹ
    page.fill("#copies", "2")


def upload_with_script(page, part, path):
    """Choose a photo in the gallery input of a part; wait until its thumbnail replaced the progress line."""
    grid = page.locator(f"#files-{part} li.photo")
    before = grid.count()
    page.set_input_files(f"#slot-{part}-pick", path)
    thumbnail = grid.nth(before).locator("img")
    thumbnail.wait_for(state="visible", timeout=20000)
    thumbnail.scroll_into_view_if_needed()  # thumbnails load lazily, like on the phone
    page.wait_for_function(
        "([grid, n]) => { const imgs = document.querySelectorAll(grid + ' li.photo img');"
        " return imgs.length > n && imgs[n].complete && imgs[n].naturalWidth > 0; }",
        arg=[f"#files-{part}", before], timeout=10000)
    assert page.locator(f"#part-{part} .upload-queue .upload-item").count() == 0  # progress line done and gone


def submit_in_browser(page, live_server, tmp_path, method="office"):
    """The shortest real submission with JavaScript on (one small photo per required paper); returns the code."""
    page.goto(live_server(f"/thu-tuc/{SLUG}/nop-ho-so"))
    fill_details(page)
    page.click("text=Lưu và tiếp tục")
    fill_birth_questions(page)
    page.click("text=Lưu và tiếp tục")
    for part in REQUIRED_PARTS:
        upload_with_script(page, part, camera_photo(tmp_path / f"p{part}.jpg", 800, 600, seed=part))
    page.click("form >> text=Tiếp tục")
    page.check(f"#result_method-{0 if method == 'office' else 1}")
    page.click("text=Lưu và tiếp tục")
    page.check("#declaration")
    page.click("button:has-text('Nộp hồ sơ')")
    page.wait_for_url(re.compile(r"/ho-so/\w+/bien-nhan$"))
    return page.url.rsplit("/", 2)[-2]


def record_uploads(monkeypatch):
    """The bytes of each page as they reached the server (before the server's own processing)."""
    from commune.submissions import uploads

    received, attach = [], uploads.attach_page

    def recording(dossier, data, filename, index):
        received.append(data)
        return attach(dossier, data, filename, index)

    monkeypatch.setattr(uploads, "attach_page", recording)
    return received


def birth_draft():
    """(dossier, draft token): a birth-registration draft with its applicant's details (flushed;
    call inside the live server's app context)."""
    from commune.catalog.models import Procedure
    from commune.submissions.services import create_draft

    procedure = db.session.scalar(sa.select(Procedure).where(Procedure.slug == SLUG))
    dossier, token = create_draft(procedure)
    dossier.applicant_name, dossier.applicant_phone = "Lò Thị Hoa", "0912345678"
    dossier.applicant_id_number, dossier.applicant_village = "001190012345", "Bản Nà Cang"
    dossier.applicant_address = "Xã Mẫu"
    return dossier, token


def draft_at_photos_step(live_server):
    """A draft with details and answers saved, opened in the browser through its continue link."""
    with live_server.app.app_context():
        dossier, token = birth_draft()
        dossier.form_data = {"child_name": "Lò Văn Minh", "child_sex": "Nam", "child_birth_date": "2026-10-01",
                             "child_birth_place": "Trạm y tế", "child_ethnicity": "Thái",
                             "mother_name": "Lò Thị Hoa", "father_name": None, "relationship": "Cha hoặc mẹ",
                             "copies": None}
        db.session.commit()
        return token
