"""Every clerk action: who may do it, in which state, and the record it leaves."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from commune.core.calendar import WorkingCalendar
from commune.core.roles import ROLES
from commune.core.timeutil import local_today
from commune.dossiers.models import Dossier, DossierEvent, SupplementRequest
from commune.extensions import db
from commune.inbox.actions import ACTIONS
from tests.factories import make_user
from tests.journeys import act


def next_working_day():
    return WorkingCalendar().next_working_day(local_today())


# For each action: the state it is tried in, the form data, and what the record must show.
CASES = {
    "receive": ("submitted", {}, "received"),
    "start": ("received", {}, "processing"),
    "ready": ("processing", {"note": "Đã ký giấy khai sinh"}, "ready"),
    "return": ("ready", {"collected_by": "Nguyễn Văn An"}, "returned"),
    "supplement": ("received", {"items": "1", "message": "Ảnh giấy chứng sinh bị mờ, chụp lại."},
                   "needs_supplement"),
    "assign": ("received", {}, "assign"),
    "apology": ("processing", {"reason": "Chờ xác minh của xã bạn."}, "apology"),
    "refuse": ("submitted", {"reason": "Không thuộc thẩm quyền của xã."}, "refused"),
    "withdraw": ("submitted", {"reason": "Người dân xin rút để bổ sung sau."}, "withdrawn"),
    "message": ("processing", {"text": "Mời ông mang bản chính đến đối chiếu."}, "message"),
    "note": ("processing", {"text": "Đã gọi điện cho người dân."}, "note"),
    "checklist": ("submitted", {"checked": ["0", "1"]}, "checklist"),
    "seen": ("processing", {}, "supplement_checked"),
}


def prepare(dossier_in, key):
    status = CASES[key][0]
    values = {}
    if key in ("apology",):
        values["due_date"] = local_today() - timedelta(days=1)
        values["received_at"] = values["submitted_at"] = None
    if key == "seen":
        values["has_new_supplement"] = True
    values = {k: v for k, v in values.items() if v is not None}
    return dossier_in(status, **values)


def data_for(key, officer=None):
    data = dict(CASES[key][1])
    if key == "assign":
        data["assignee"] = str(officer.id)
    if key == "apology":
        data["new_due"] = next_working_day().isoformat()
    return data


def test_the_matrix_covers_every_action():
    assert set(CASES) == set(ACTIONS)


@pytest.mark.parametrize("key", sorted(CASES))
def test_each_action_writes_its_event(client, login_as, dossier_in, key):
    login_as("admin")
    officer = make_user("officer")
    db.session.commit()
    dossier = prepare(dossier_in, key)
    before = dossier.version
    response = act(client, dossier, key, data_for(key, officer))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    dossier = db.session.get(Dossier, dossier.id)
    events = db.session.scalars(sa.select(DossierEvent).where(DossierEvent.dossier_id == dossier.id)
                                .order_by(DossierEvent.id)).all()
    expected = CASES[key][2]
    last = [e for e in events if e.kind != "document_view"][-1]
    if expected in {s for s in ("received", "processing", "ready", "returned", "needs_supplement", "refused",
                                "withdrawn")}:
        assert dossier.status == expected
        assert last.kind == "status" and last.to_status == expected
        assert dossier.version > before
    else:
        assert last.kind == expected
    assert last.actor_label


@pytest.mark.parametrize("key", sorted(CASES))
def test_each_action_is_refused_to_roles_that_may_not_do_it(app, client, dossier_in, key):
    from tests.factories import PASSWORD

    officer = make_user("officer")
    db.session.commit()
    for role in ROLES:
        if role in ACTIONS[key].roles:
            continue
        user = make_user(role)
        db.session.commit()
        other = app.test_client()
        assert other.post("/dang-nhap", data={"username": user.username, "password": PASSWORD}).status_code == 302
        dossier = prepare(dossier_in, key)
        response = act(other, dossier, key, data_for(key, officer))
        assert response.status_code == 403, (role, key)
        assert db.session.get(Dossier, dossier.id).status == CASES[key][0]


@pytest.mark.parametrize("key", sorted(CASES))
def test_each_action_is_refused_in_a_state_that_does_not_allow_it(client, login_as, dossier_in, key):
    login_as("admin")
    officer = make_user("officer")
    db.session.commit()
    wrong = next(s for s in ("returned", "withdrawn", "ready", "submitted", "draft")
                 if s not in ACTIONS[key].statuses)
    dossier = dossier_in(wrong)
    response = act(client, dossier, key, data_for(key, officer))
    # A draft is not in the inbox at all; any other state says why the action is not possible.
    assert response.status_code == (404 if wrong == "draft" else 409)
    assert db.session.get(Dossier, dossier.id).status == wrong


def test_officer_cannot_act_on_a_dossier_assigned_to_someone_else(client, login_as, dossier_in):
    me = login_as("officer")
    colleague = make_user("officer")
    db.session.commit()
    theirs = dossier_in("received", assignee_id=colleague.id)
    mine = dossier_in("received", assignee_id=me.id)
    assert act(client, theirs, "start").status_code == 403
    assert act(client, mine, "start").status_code == 302


def test_postal_staff_get_403_on_every_inbox_page(client, login_as, dossier_in):
    dossier = dossier_in("ready")
    login_as("postal")
    for url in ("/hop-thu", f"/hop-thu/ho-so/{dossier.id}", "/hop-thu/tiep-nhan-tai-quay",
                f"/hop-thu/ho-so/{dossier.id}/in/phieu-kiem-soat", f"/hop-thu/ho-so/{dossier.id}/anh/1"):
        assert client.get(url).status_code == 403, url
    assert client.post("/hop-thu/giao-viec", data={}).status_code == 403
    assert act(client, dossier, "return", {"collected_by": "X"}).status_code == 403


def test_anonymous_visitor_is_sent_to_login(client, dossier_in):
    dossier = dossier_in("submitted")
    response = client.get(f"/hop-thu/ho-so/{dossier.id}")
    assert response.status_code == 302 and "/dang-nhap" in response.headers["Location"]


def test_receive_sets_received_time_and_working_day_due_date(client, login_as, dossier_in):
    login_as("clerk")
    dossier = dossier_in("submitted")
    response = act(client, dossier, "receive")
    assert response.status_code == 302
    assert "/in/tiep-nhan" in response.headers["Location"]  # the receipt opens to print
    dossier = db.session.get(Dossier, dossier.id)
    assert dossier.received_at is not None
    assert dossier.due_date == WorkingCalendar.load().due_date(dossier.received_at, 3)
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in receipt
    assert "<svg" in receipt and dossier.display_code in receipt


def test_second_supplement_request_needs_a_reason(client, login_as, dossier_in):
    login_as("clerk")
    dossier = dossier_in("received", supplement_count=1)
    response = act(client, dossier, "supplement", {"items": "0", "message": "Thiếu tờ khai"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "một lần" in html and "Thiếu tờ khai" in html  # warned, and what was typed is kept
    response = act(client, dossier, "supplement", {"items": "0", "message": "Thiếu tờ khai",
                                                   "reason_for_another": "Người dân gửi nhầm giấy tờ"})
    assert response.status_code == 302
    request = db.session.scalar(sa.select(SupplementRequest).where(SupplementRequest.dossier_id == dossier.id))
    assert request.round == 2 and request.reason_for_another == "Người dân gửi nhầm giấy tờ"
    assert request.items == [{"document_index": 0, "label": "Tờ khai đăng ký khai sinh"}]


def test_supplement_request_lists_missing_documents_on_form_02(client, login_as, dossier_in):
    login_as("clerk")
    dossier = dossier_in("submitted")
    response = act(client, dossier, "supplement", {"items": ["0", "1"], "other": "Sổ hộ khẩu",
                                                   "message": "Chụp rõ các giấy tờ sau."})
    assert "/in/bo-sung" in response.headers["Location"]
    slip = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "PHIẾU YÊU CẦU BỔ SUNG" in slip
    assert "Giấy chứng sinh" in slip and "Sổ hộ khẩu" in slip


def test_supplement_request_without_any_missing_item_is_refused(client, login_as, dossier_in):
    login_as("clerk")
    dossier = dossier_in("submitted")
    response = act(client, dossier, "supplement", {"message": "Thiếu"})
    assert response.status_code == 400
    assert "ít nhất một" in response.get_data(as_text=True)


def test_refusal_needs_a_reason_and_prints_form_03(client, login_as, dossier_in):
    login_as("clerk")
    dossier = dossier_in("submitted")
    response = act(client, dossier, "refuse", {"reason": ""})
    assert response.status_code == 400 and "Ghi lý do từ chối" in response.get_data(as_text=True)
    response = act(client, dossier, "refuse", {"reason": "Hồ sơ không thuộc thẩm quyền."})
    slip = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "PHIẾU TỪ CHỐI" in slip and "Hồ sơ không thuộc thẩm quyền." in slip


def test_apology_sets_new_due_date_and_prints_form_04(client, login_as, dossier_in):
    login_as("clerk")
    dossier = dossier_in("processing", due_date=local_today() - timedelta(days=2))
    new_due = next_working_day()
    response = act(client, dossier, "apology", {"new_due": new_due.isoformat(), "reason": "Chờ xác minh."})
    assert response.status_code == 302
    dossier = db.session.get(Dossier, dossier.id)
    assert dossier.due_date == new_due
    assert dossier.missed_due_date == local_today() - timedelta(days=2)  # figures still count it late
    event = db.session.scalar(sa.select(DossierEvent).filter_by(dossier_id=dossier.id, kind="apology"))
    assert event.public and event.data["new_due"] == new_due.isoformat()
    slip = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in slip


def test_apology_is_not_offered_before_the_due_date(client, login_as, dossier_in):
    login_as("clerk")
    dossier = dossier_in("processing", due_date=local_today() + timedelta(days=10))
    response = act(client, dossier, "apology", {"new_due": next_working_day().isoformat(), "reason": "x"})
    assert response.status_code == 409


def test_apology_new_date_must_be_a_working_day_after_today(client, login_as, dossier_in):
    login_as("clerk")
    dossier = dossier_in("processing", due_date=local_today() - timedelta(days=1))
    response = act(client, dossier, "apology", {"new_due": local_today().isoformat(), "reason": "x"})
    assert response.status_code == 400 and "sau hôm nay" in response.get_data(as_text=True)


def test_internal_note_is_hidden_from_the_villager_and_message_is_shown(client, login_as, dossier_in):
    login_as("officer")
    dossier = dossier_in("processing")
    act(client, dossier, "note", {"text": "Nội bộ"})
    act(client, dossier, "message", {"text": "Gửi người dân"})
    events = {e.kind: e for e in db.session.scalars(sa.select(DossierEvent).filter_by(dossier_id=dossier.id))}
    assert events["note"].public is False
    assert events["message"].public is True


def test_mark_ready_and_return_at_the_desk(client, login_as, dossier_in):
    login_as("clerk")
    dossier = dossier_in("processing")
    assert act(client, dossier, "ready", {"note": "Đã ký"}).status_code == 302
    dossier = db.session.get(Dossier, dossier.id)
    assert dossier.ready_at is not None
    assert act(client, dossier, "return", {"collected_by": ""}).status_code == 400
    assert act(client, dossier, "return", {"collected_by": "Trần Văn Bố"}).status_code == 302
    dossier = db.session.get(Dossier, dossier.id)
    assert dossier.status == "returned" and dossier.finished_at is not None
    event = dossier.events[-1]
    assert event.data["collected_by"] == "Trần Văn Bố"


def test_checklist_is_remembered_on_the_dossier_page(client, login_as, dossier_in):
    login_as("clerk")
    dossier = dossier_in("submitted")
    act(client, dossier, "checklist", {"checked": ["1"]})
    html = client.get(f"/hop-thu/ho-so/{dossier.id}").get_data(as_text=True)
    assert 'checked id="checklist-checked-1"' in html
    assert 'checked id="checklist-checked-0"' not in html


def test_assign_to_an_officer_records_who(client, login_as, dossier_in):
    login_as("clerk")
    officer = make_user("officer", full_name="Lê Chuyên Viên")
    db.session.commit()
    dossier = dossier_in("received")
    assert act(client, dossier, "assign", {"assignee": str(officer.id)}).status_code == 302
    dossier = db.session.get(Dossier, dossier.id)
    assert dossier.assignee_id == officer.id
    page = client.get("/hop-thu?tab=processing").get_data(as_text=True)
    assert "Lê Chuyên Viên" in page


def test_cannot_assign_to_postal_staff(client, login_as, dossier_in):
    login_as("clerk")
    postman = make_user("postal")
    db.session.commit()
    dossier = dossier_in("received")
    assert act(client, dossier, "assign", {"assignee": str(postman.id)}).status_code == 400


def test_withdraw_on_villager_request(client, login_as, dossier_in):
    login_as("clerk")
    dossier = dossier_in("received")
    assert act(client, dossier, "withdraw", {"reason": "Xin rút"}).status_code == 302
    assert db.session.get(Dossier, dossier.id).status == "withdrawn"


def test_a_withdrawal_prints_form_05_the_notice_that_handling_stopped(client, login_as, dossier_in):
    login_as("clerk")
    dossier = dossier_in("received")
    assert client.get(f"/hop-thu/ho-so/{dossier.id}/in/dung-giai-quyet").status_code == 404  # not withdrawn yet
    response = act(client, dossier, "withdraw", {"reason": "Gia đình xin rút để nộp ở nơi khác."})
    assert response.status_code == 302
    slip = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in slip and "Mẫu số 05" in slip
    assert "Gia đình xin rút để nộp ở nơi khác." in slip and dossier.display_code in slip
    page = client.get(f"/hop-thu/ho-so/{dossier.id}").get_data(as_text=True)
    assert "Thông báo dừng giải quyết (05)" in page


def test_form_05_of_a_withdrawal_made_online_leaves_the_staff_signature_blank(client, login_as, dossier_in):
    from commune.dossiers.workflow import transition

    dossier = dossier_in("submitted")
    transition(dossier, "withdrawn", note="Tôi nộp nhầm thủ tục.", actor_label="Công dân")
    db.session.commit()
    login_as("clerk")
    slip = client.get(f"/hop-thu/ho-so/{dossier.id}/in/dung-giai-quyet").get_data(as_text=True)
    assert "Tôi nộp nhầm thủ tục." in slip
    assert "Công dân" not in slip.split("NGƯỜI TIẾP NHẬN / GIẢI QUYẾT", 1)[1]
