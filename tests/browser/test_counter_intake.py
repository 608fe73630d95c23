"""The counter in Chromium: a photo goes into the form's batch as soon as it is picked, stays on the
page when the form comes back with a mistake, and belongs to the dossier once it is received."""
import sqlalchemy as sa

from commune.catalog.models import Procedure
from commune.dossiers.models import Dossier
from commune.extensions import db
from tests.browser.conftest import horizontal_overflow
from tests.browser.journeys import camera_photo
from tests.factories import make_user

FESTIVAL = "thong-bao-to-chuc-le-hoi-cap-xa"  # one document, no questions


def test_a_picked_photo_survives_a_mistake_in_the_form_and_is_received_once(page, live_server, tmp_path):
    with live_server.app.app_context():
        make_user("clerk", username="quay")
        procedure_id = db.session.scalar(sa.select(Procedure.id).where(Procedure.slug == FESTIVAL))
        db.session.commit()
    page.goto(live_server("/dang-nhap"))
    page.fill("#username", "quay")
    page.fill("#password", "mat-khau-123")
    page.click("button[type=submit]")
    page.goto(live_server(f"/hop-thu/tiep-nhan-tai-quay?thu_tuc={procedure_id}"))

    page.set_input_files("#doc-0", camera_photo(tmp_path / "to-trinh.jpg", seed=3))
    thumbnail = page.locator("#counter-files-0 li.photo img")
    thumbnail.wait_for(timeout=30000)  # sent at once, shrunk on the way
    assert page.evaluate("document.querySelector('#doc-0').files.length") == 0  # not posted again with the form
    page.fill("#a-full_name", "Lương Văn Quầy")
    page.fill("#a-phone", "12345")  # a mistake
    page.fill("#a-id_number", "001203004567")
    page.fill("#a-village", "Thôn Đông")
    page.fill("#a-address", "Xã Mẫu")
    page.click("text=Tiếp nhận và in giấy hẹn")
    page.wait_for_load_state()
    assert page.locator("#counter-files-0 li.photo").count() == 1  # the photo is still there
    assert page.input_value("#a-full_name") == "Lương Văn Quầy"
    page.locator("#counter-files-0 img").scroll_into_view_if_needed()  # loading="lazy"
    for _tick in range(50):  # (wait_for_function evaluates a string: the CSP refuses it)
        if page.evaluate("document.querySelector('#counter-files-0 img').naturalWidth") > 0:
            break
        page.wait_for_timeout(200)
    assert page.evaluate("document.querySelector('#counter-files-0 img').naturalWidth") > 0
    assert horizontal_overflow(page) <= 0

    page.fill("#a-phone", "0912345678")
    page.click("text=Tiếp nhận và in giấy hẹn")
    page.wait_for_url("**/in/tiep-nhan**")
    with live_server.app.app_context():
        [dossier] = db.session.scalars(sa.select(Dossier)).all()
        assert dossier.status == "received" and dossier.applicant_name == "Lương Văn Quầy"
        assert [(f.document_index, f.mime) for f in dossier.files] == [(0, "image/jpeg")]
        assert dossier.files[0].width <= 1600  # the browser shrank it before sending
    page.console_errors[:] = [e for e in page.console_errors if "400" not in e]  # the refused form, on purpose
    assert page.console_errors == []
