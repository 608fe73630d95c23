"""The clerk's dossier page puts the main actions first and keeps the checklist folded; the photo
viewer's frame can be reached and scrolled with the keyboard."""
import re

from commune.dossiers.attachments import attach_file
from commune.extensions import db
from tests.factories import jpeg_bytes
from tests.journeys import act


def test_main_actions_come_first_and_the_checklist_is_closed(client, login_as, dossier_in):
    login_as("clerk")
    dossier = dossier_in("submitted")
    html = client.get(f"/hop-thu/ho-so/{dossier.id}").get_data(as_text=True)
    checklist = re.search(r'<details class="action action-checklist"[^>]*>', html).group(0)
    assert " open" not in checklist
    receive = html.index('id="action-receive"')
    assert receive < html.index('id="action-checklist"')
    assert receive < html.index("Thành phần hồ sơ")  # above the documents, under the title
    assert html.index('class="badge') < receive  # the status badge, then the actions
    assert "style=" not in html.split("<body")[1]


def test_a_checklist_sent_back_with_an_error_stays_open(client, login_as, dossier_in):
    login_as("clerk")
    dossier = dossier_in("received")
    response = act(client, dossier, "checklist", {"checked": "0"}, version=dossier.version + 7)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert re.search(r'<details class="action action-checklist" open', html)
    assert not re.search(r'<details class="action action-receive" open', html)


def test_the_viewer_frame_is_focusable_and_named(client, login_as, dossier_in):
    login_as("clerk")
    dossier = dossier_in("received")
    page = attach_file(dossier, jpeg_bytes(), "trang.jpg", document_index=1)
    db.session.commit()
    html = client.get(f"/hop-thu/ho-so/{dossier.id}/anh/{page.id}?z=3").get_data(as_text=True)
    frame = re.search(r'<div class="viewer-frame"[^>]*>', html).group(0)
    assert 'tabindex="0"' in frame and 'role="region"' in frame
    assert 'aria-label="Khung xem ảnh: Giấy chứng sinh"' in frame
    assert "viewer-img zoom-3 rot-0" in html  # zoom still works
