"""The same resumable upload in the supplement answer, and the photo step as a 360 px phone shows it."""
import re

import sqlalchemy as sa

from commune.dossiers.models import DossierFile
from commune.extensions import db
from commune.submissions.doc_names import short_doc_name
from tests.factories import make_procedure, pdf_file
from tests.journeys import ANSWERS, DETAILS, QUESTIONS, waiting_for_supplement

TUS = {"Tus-Resumable": "1.0.0"}


def send(client, create_url, data, chunk=4096):
    """Create, then PATCH in chunks; returns the upload's URL (Flask's test client, CSRF off)."""
    created = client.post(create_url, headers={**TUS, "Upload-Length": str(len(data)),
                                               "Upload-Metadata": "filename Y2h1bmctc2luaC5wZGY="})
    assert created.status_code == 201, created.get_data(as_text=True)
    url = created.headers["Location"]
    for offset in range(0, len(data), chunk):
        answer = client.patch(url, data=data[offset:offset + chunk], headers={
            **TUS, "Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"})
        assert answer.status_code == 204 and answer.headers["Upload-Offset"] == str(min(len(data), offset + chunk))
    return url


def test_a_supplement_page_sent_resumably_lands_in_the_answer_round(client):
    dossier, request_row = waiting_for_supplement(client)
    url = send(client, f"/ho-so/{dossier.code}/bo-sung/0/tai-len-tiep", pdf_file())
    outcome = client.get(url, headers={"X-Requested-With": "XMLHttpRequest"})
    assert outcome.status_code == 200 and '<li class="photo"' in outcome.get_data(as_text=True)
    rows = db.session.scalars(sa.select(DossierFile).where(DossierFile.round == request_row.round)).all()
    assert [(r.document_index, r.mime) for r in rows] == [(1, "application/pdf")]  # item 0 asks for paper 1


def test_another_villager_cannot_reach_a_supplement_upload(client, app):
    dossier, _request = waiting_for_supplement(client)
    created = client.post(f"/ho-so/{dossier.code}/bo-sung/0/tai-len-tiep", headers={**TUS, "Upload-Length": "10"})
    url = created.headers["Location"]
    stranger = app.test_client()
    assert stranger.head(url, headers=TUS).status_code == 404
    assert stranger.post(f"/ho-so/{dossier.code}/bo-sung/0/tai-len-tiep",
                         headers={**TUS, "Upload-Length": "10"}).status_code == 404


def test_a_refused_file_says_why_once_complete(client):
    dossier, _request = waiting_for_supplement(client)
    url = send(client, f"/ho-so/{dossier.code}/bo-sung/0/tai-len-tiep", b"not a photo at all" * 300)
    outcome = client.get(url, headers={"X-Requested-With": "XMLHttpRequest"})
    assert outcome.status_code == 422 and "không phải là ảnh hay PDF" in outcome.get_data(as_text=True)


def _photo_step(client, procedure):
    assert client.post(f"/thu-tuc/{procedure.slug}/nop-ho-so", data=DETAILS).status_code == 302
    return client.get("/nop-ho-so/anh-giay-to").get_data(as_text=True)


def test_the_photo_step_leads_with_what_is_required_and_folds_the_rest(client):
    long_name = ("Giấy tờ chứng minh nơi cư trú (chỉ khi cơ quan đăng ký không khai thác được thông tin về "
                 "cư trú của người yêu cầu trong Cơ sở dữ liệu quốc gia về dân cư)")
    procedure = make_procedure(documents=("Bản sao giấy tờ nhà nếu có", long_name))
    procedure.documents[0].required = False
    db.session.commit()
    html = _photo_step(client, procedure)
    assert html.index('id="part-1"') < html.index('id="part-0"')  # the required paper first
    folded = html[html.index('<details class="optional-docs"'):]
    assert 'id="part-0"' in folded[:folded.index("</details>")]  # the optional paper, folded
    assert 'id="part-khac"' in folded[folded.index("</details>"):]  # "other papers" stays in sight
    assert '<details class="optional-docs" open' not in html  # nothing there yet: folded
    assert '<h2 id="part-1-title">Giấy tờ chứng minh nơi cư trú</h2>' in html
    assert long_name in html[html.index('class="doc-full"'):]  # the full name, behind a disclosure
    assert 'data-tus-url="/nop-ho-so/anh-giay-to/1/tai-len-tiep"' in html
    assert "mất khoảng 1 phút để gửi" in html  # what a photo costs on a slow link, said beforehand


def test_a_paper_answered_online_has_no_camera_button(client):
    procedure = make_procedure(form_fields=QUESTIONS, documents=("Tờ khai", "Giấy chứng sinh"))
    procedure.documents[0].online_form = True
    db.session.commit()
    assert client.post(f"/thu-tuc/{procedure.slug}/nop-ho-so", data=DETAILS).status_code == 302
    assert client.post("/nop-ho-so/cau-hoi", data=ANSWERS).status_code == 302
    html = client.get("/nop-ho-so/anh-giay-to").get_data(as_text=True)
    part0 = html[html.index('id="part-0"'):html.index("</section>", html.index('id="part-0"'))]
    assert "Đã khai trực tuyến" in part0 and 'capture="environment"' not in part0 and "slot-0-pick" in part0
    part1 = html[html.index('id="part-1"'):html.index("</section>", html.index('id="part-1"'))]
    assert 'capture="environment"' in part1


def test_the_check_page_says_why_submit_waits_for_the_declaration(client):
    procedure = make_procedure(documents=("Giấy chứng sinh",))
    _photo_step(client, procedure)
    html = client.get("/nop-ho-so/kiem-tra").get_data(as_text=True)
    why = re.search(r'<p class="hint declaration-why" id="declaration-why">([^<]+)</p>', html)
    assert why and "đánh dấu vào ô cam đoan" in why.group(1)
    assert 'aria-describedby="declaration-why"' in html


def test_official_names_are_cut_to_one_short_line():
    assert short_doc_name("Văn bản ủy quyền đăng ký khai sinh (không phải chứng thực nếu …)") == \
        "Văn bản ủy quyền đăng ký khai sinh"
    assert short_doc_name("Chứng cứ chứng minh quan hệ cha, con hoặc mẹ, con: văn bản của cơ quan y tế") == \
        "Chứng cứ chứng minh quan hệ cha, con hoặc mẹ, con"
    assert len(short_doc_name("Giấy tờ " * 30)) <= 61
    assert short_doc_name("Học bạ") == "Học bạ"

