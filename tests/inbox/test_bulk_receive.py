"""Bulk receive from the inbox list, and the one print job of the received dossiers' sheets."""
import re

from commune.core.timeutil import utcnow
from commune.dossiers.models import CHANNEL_COUNTER, DossierEvent
from commune.extensions import db
from tests.factories import make_dossier


def receive_selected(client, *dossiers, versions=None):
    data = {"ids": [str(d.id) for d in dossiers], "back": "/hop-thu?tab=waiting"}
    for d in dossiers:
        data[f"v-{d.id}"] = str((versions or {}).get(d.id, d.version))
    return client.post("/hop-thu/tiep-nhan-nhieu", data=data)


def test_the_clerk_receives_several_online_dossiers_at_once_and_prints_their_sheets(client, login_as, procedure):
    clerk = login_as("clerk")
    first = make_dossier(procedure, "submitted", applicant_name="Lò Văn Một")
    second = make_dossier(procedure, "submitted", applicant_name="Lò Thị Hai")
    db.session.commit()

    page = client.get("/hop-thu?tab=waiting").get_data(as_text=True)
    assert "Tiếp nhận các hồ sơ trực tuyến đã chọn và in phiếu" in page

    response = receive_selected(client, first, second)
    assert response.status_code == 302
    assert "/hop-thu/in-nhieu" in response.headers["Location"] and "print=1" in response.headers["Location"]
    for dossier in (first, second):
        db.session.refresh(dossier)
        assert dossier.status == "received" and dossier.received_at and dossier.due_date
        assert dossier.receiving_unit is not None
        # The same service as the single button: its status event, by this clerk.
        event = db.session.query(DossierEvent).filter_by(dossier_id=dossier.id, to_status="received").one()
        assert event.actor_id == clerk.id

    sheets = client.get(response.headers["Location"]).get_data(as_text=True)
    assert sheets.count('<article class="sheet">') == 4  # a receipt and a control sheet each
    assert sheets.count("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ") == 2
    assert sheets.count("PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ") == 2
    assert first.display_code in sheets and second.display_code in sheets
    assert 'data-autoprint="1"' in sheets  # one print job, opened at once
    assert "Đã tiếp nhận 2 hồ sơ" in sheets
    # The order of the list: the first selected dossier's receipt comes first.
    assert sheets.index("Lò Văn Một") < sheets.index("Lò Thị Hai")


def test_a_dossier_that_cannot_be_received_is_named_and_the_others_go_through(client, login_as, procedure):
    login_as("clerk")
    online = make_dossier(procedure, "submitted")
    at_counter = make_dossier(procedure, "submitted", channel=CHANNEL_COUNTER)
    already = make_dossier(procedure, "processing")
    changed = make_dossier(procedure, "submitted")
    db.session.commit()

    response = receive_selected(client, online, at_counter, already, changed,
                                versions={changed.id: changed.version + 5})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã tiếp nhận 1 hồ sơ" in page
    assert "Không tiếp nhận được 3 hồ sơ" in page
    assert f"{at_counter.display_code}: không nộp trực tuyến" in page
    assert f"{already.display_code}: đang ở trạng thái" in page
    assert f"{changed.display_code}: vừa được người khác thay đổi" in page
    for dossier, status in ((online, "received"), (at_counter, "submitted"), (already, "processing"),
                            (changed, "submitted")):
        db.session.refresh(dossier)
        assert dossier.status == status
    assert page.count('<article class="sheet">') == 2  # only the received one is printed


def test_when_nothing_can_be_received_the_clerk_stays_on_the_list(client, login_as, procedure):
    login_as("clerk")
    done = make_dossier(procedure, "returned")
    db.session.commit()
    response = receive_selected(client, done)
    assert response.headers["Location"].endswith("/hop-thu?tab=waiting")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Không tiếp nhận được 1 hồ sơ" in page
    response = client.post("/hop-thu/tiep-nhan-nhieu", data={"back": "/hop-thu"})
    assert "Chọn ít nhất một hồ sơ để tiếp nhận." in client.get(response.headers["Location"]).get_data(as_text=True)


def test_only_the_desk_may_receive_and_the_button_shows_only_to_it(client, login_as, procedure):
    login_as("leader")
    waiting = make_dossier(procedure, "submitted")
    db.session.commit()
    assert "Tiếp nhận các hồ sơ trực tuyến đã chọn" not in client.get("/hop-thu?tab=waiting").get_data(as_text=True)
    assert receive_selected(client, waiting).status_code == 403
    db.session.refresh(waiting)
    assert waiting.status == "submitted"


def test_the_print_job_refuses_drafts_and_unknown_dossiers(client, login_as, procedure):
    login_as("clerk")
    draft = make_dossier(procedure, "draft")
    fine = make_dossier(procedure, "received")
    db.session.commit()
    assert client.get(f"/hop-thu/in-nhieu?ids={fine.id}&ids={draft.id}").status_code == 404
    assert client.get("/hop-thu/in-nhieu?ids=99999").status_code == 404
    assert client.get("/hop-thu/in-nhieu?ids=abc").status_code == 404
    assert client.get("/hop-thu/in-nhieu").status_code == 404
    page = client.get(f"/hop-thu/in-nhieu?ids={fine.id}&back=https://evil.example").get_data(as_text=True)
    assert "evil.example" not in page  # the back link goes only to the inbox
    assert "print=1" not in page and "data-autoprint" not in page


def test_each_sheet_of_a_print_job_begins_a_new_page(client):
    css = client.get(re.search(r'href="(/assets/[^"]+\.css)"', client.get("/").get_data(as_text=True)).group(1))
    text = css.get_data(as_text=True)
    assert ".sheet{break-after:page}" in text and ".sheet:last-of-type{break-after:auto}" in text


def test_any_staff_member_prints_the_sheets_of_the_selected_rows_in_one_job(client, login_as, procedure):
    login_as("officer")
    running = make_dossier(procedure, "processing", received_at=utcnow())
    waiting = make_dossier(procedure, "submitted")
    db.session.commit()
    assert "In giấy tiếp nhận và phiếu kiểm soát" in client.get("/hop-thu?tab=all").get_data(as_text=True)
    response = client.post("/hop-thu/in-nhieu/chon", data={"ids": [str(running.id), str(waiting.id)],
                                                           "back": "/hop-thu?tab=all"})
    assert response.status_code == 302 and "print=1" not in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    # The received one has its receipt and control sheet; the waiting one only its control sheet.
    assert page.count('<article class="sheet">') == 3
    assert page.count("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ") == 1
    assert 'href="/hop-thu?tab=all"' in page  # back to the list the clerk came from
    nothing = client.post("/hop-thu/in-nhieu/chon", data={"back": "/hop-thu"})
    assert "Chọn ít nhất một hồ sơ để in." in client.get(nothing.headers["Location"]).get_data(as_text=True)
