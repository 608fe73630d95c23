"""The counter keeps the pages it was given: a mistake in the form never asks for the photos again."""
import io
import re

import sqlalchemy as sa

from commune.dossiers.models import Dossier, DossierFile
from commune.extensions import db
from tests.factories import jpeg_bytes
from tests.journeys import counter_applicant

_BATCH_RE = re.compile(r'name="c-batch"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="c-batch"')


def batch_of(html):
    match = _BATCH_RE.search(html)
    assert match, "the counter form carries its batch"
    return match.group(1) or match.group(2)


def counter_url(procedure):
    return f"/hop-thu/tiep-nhan-tai-quay?thu_tuc={procedure.id}"


def open_form(client, procedure):
    page = client.get(counter_url(procedure))
    assert page.status_code == 200
    return batch_of(page.get_data(as_text=True))


def post(client, procedure, data):
    return client.post(counter_url(procedure), data=data, content_type="multipart/form-data")


def dossiers():
    return db.session.scalars(sa.select(Dossier).order_by(Dossier.id)).all()


def test_a_mistake_in_the_form_keeps_the_photo_and_the_fixed_form_is_received_with_it(client, login_as, procedure):
    login_as("clerk")
    batch = open_form(client, procedure)
    wrong = counter_applicant(**{"c-batch": batch, "a-phone": "12345", "paper_seen": "1"})
    wrong["doc-0"] = (io.BytesIO(jpeg_bytes()), "to-khai.jpg")
    page = post(client, procedure, wrong)
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "Hoàng Văn Đến Quầy" in html  # what was typed stays
    assert "chọn lại" not in html  # the clerk is not asked to take the photos again
    kept = re.findall(rf'/hop-thu/tiep-nhan-tai-quay/{batch}/tep/(\d+)/nho', html)
    assert len(kept) == 1
    assert client.get(f"/hop-thu/tiep-nhan-tai-quay/{batch}/tep/{kept[0]}/nho").status_code == 200

    fixed = counter_applicant(**{"c-batch": batch, "paper_seen": "1"})  # no file this time
    response = post(client, procedure, fixed)
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    [dossier] = dossiers()
    assert dossier.status == "received" and dossier.code
    assert [(f.id, f.document_index) for f in dossier.files] == [(int(kept[0]), 0)]
    # The batch's page is the dossier's now: the counter's own view of it is closed.
    assert client.get(f"/hop-thu/tiep-nhan-tai-quay/{batch}/tep/{kept[0]}/nho").status_code == 404

    again = post(client, procedure, fixed)  # the button pressed a second time
    assert again.status_code == 302 and f"/ho-so/{dossier.id}/" in again.headers["Location"]
    assert len(dossiers()) == 1


def test_a_required_document_left_without_page_is_named_and_the_other_pages_stay(client, login_as, procedure):
    login_as("clerk")
    batch = open_form(client, procedure)
    data = counter_applicant(**{"c-batch": batch})
    data["doc-1"] = (io.BytesIO(jpeg_bytes()), "giay-chung-sinh.jpg")
    page = post(client, procedure, data)
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert "Chụp ảnh hoặc đánh dấu" in html and len(re.findall(r'class="photo" id="file-', html)) == 1
    data = counter_applicant(**{"c-batch": batch, "paper_seen": "0"})
    assert post(client, procedure, data).status_code == 302
    [dossier] = dossiers()
    assert [f.document_index for f in dossier.files] == [1] and dossier.form_data["paper_seen"] == [0]


def test_xoa_takes_a_page_out_and_keeps_what_was_typed(client, login_as, procedure):
    login_as("clerk")
    batch = open_form(client, procedure)
    data = counter_applicant(**{"c-batch": batch, "a-phone": ""})
    data["doc-0"] = [(io.BytesIO(jpeg_bytes(color=(200, 10, 10))), "a.jpg"),
                     (io.BytesIO(jpeg_bytes(color=(10, 200, 10))), "b.jpg")]
    html = post(client, procedure, data).get_data(as_text=True)
    ids = re.findall(r'name="c-drop" value="(\d+)"', html)
    assert len(ids) == 2
    page = post(client, procedure, counter_applicant(**{"c-batch": batch, "c-drop": ids[0]}))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Đã xóa trang" in html and "Hoàng Văn Đến Quầy" in html
    assert re.findall(r'name="c-drop" value="(\d+)"', html) == [ids[1]]
    assert "Chụp ảnh hoặc đánh dấu" not in html  # taking a page out is not sending the form
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DossierFile)) == 1


def test_the_upload_script_sends_each_page_into_the_batch_at_once(client, login_as, procedure):
    login_as("clerk")
    batch = open_form(client, procedure)
    url = f"/hop-thu/tiep-nhan-tai-quay/{procedure.id}/{batch}/giay-to/0/anh"
    sent = client.post(url, data={"file": (io.BytesIO(jpeg_bytes()), "webcam-1.jpg")},
                       headers={"X-Requested-With": "XMLHttpRequest"}, content_type="multipart/form-data")
    assert sent.status_code == 201 and 'class="photo"' in sent.get_data(as_text=True)
    again = client.post(url, data={"file": (io.BytesIO(jpeg_bytes()), "webcam-1.jpg")},
                        headers={"X-Requested-With": "XMLHttpRequest"}, content_type="multipart/form-data")
    assert again.status_code == 201  # a retry whose answer was lost: the same page, kept once
    broken = client.post(url, data={"file": (io.BytesIO(b"not a photo"), "x.jpg")},
                         headers={"X-Requested-With": "XMLHttpRequest"}, content_type="multipart/form-data")
    assert broken.status_code == 422 and broken.get_data(as_text=True)  # the reason, in words
    assert post(client, procedure, counter_applicant(**{"c-batch": batch, "paper_seen": "1"})).status_code == 302
    [dossier] = dossiers()
    assert [f.document_index for f in dossier.files] == [0]
    late = client.post(url, data={"file": (io.BytesIO(jpeg_bytes()), "late.jpg")},
                       headers={"X-Requested-With": "XMLHttpRequest"}, content_type="multipart/form-data")
    assert late.status_code == 409 and "đã được tiếp nhận" in late.get_data(as_text=True)
    assert len(dossier.files) == 1


def test_another_clerks_batch_and_a_villager_draft_cookie_reach_nothing(app, client, login_as, procedure):
    first = login_as("clerk", username="quay1")
    batch = open_form(client, procedure)
    data = counter_applicant(**{"c-batch": batch, "a-phone": "1"})
    data["doc-0"] = (io.BytesIO(jpeg_bytes()), "a.jpg")
    html = post(client, procedure, data).get_data(as_text=True)
    [file_id] = re.findall(r'name="c-drop" value="(\d+)"', html)
    [draft] = dossiers()
    assert draft.status == "draft" and draft.code is None

    other = app.test_client()
    login_as("clerk", username="quay2", client_=other)
    assert other.get(f"/hop-thu/tiep-nhan-tai-quay/{batch}/tep/{file_id}/nho").status_code == 404
    assert other.get(f"/hop-thu/tiep-nhan-tai-quay/{batch}/tep/{file_id}").status_code == 404
    # Their own form with the first clerk's batch pasted in: a batch of their own, without the page.
    page = other.post(counter_url(procedure), data=counter_applicant(**{"c-batch": batch, "paper_seen": ["0", "1"]}),
                      content_type="multipart/form-data")
    assert page.status_code == 302
    second = dossiers()[-1]
    assert second.id != draft.id and second.files == []
    db.session.refresh(draft)
    assert draft.status == "draft" and [f.id for f in draft.files] == [int(file_id)]

    stranger = app.test_client()
    stranger.set_cookie("draft", f"counter:{first.id}:{batch}")  # the batch's token as a villager's cookie
    assert stranger.get(f"/tep/{file_id}/nho").status_code == 404
    assert stranger.get(f"/hop-thu/tiep-nhan-tai-quay/{batch}/tep/{file_id}/nho").status_code in (302, 401, 403)


def test_an_abandoned_batch_is_purged_with_its_pages_after_a_day(client, login_as, procedure):
    from datetime import timedelta

    from commune.core.timeutil import utcnow
    from commune.submissions.services import purge_expired

    login_as("clerk")
    batch = open_form(client, procedure)
    data = counter_applicant(**{"c-batch": batch, "a-phone": "1"})
    data["doc-0"] = (io.BytesIO(jpeg_bytes()), "a.jpg")
    post(client, procedure, data)
    [draft] = dossiers()
    assert utcnow() + timedelta(hours=23) < draft.expires_at <= utcnow() + timedelta(hours=24)
    assert purge_expired() == 0
    assert purge_expired(now=utcnow() + timedelta(hours=25)) == 1
    assert dossiers() == [] and db.session.scalar(sa.select(sa.func.count()).select_from(DossierFile)) == 0
