"""The tracking page says, in plain Vietnamese, what happened and what to do now, for every state."""
from datetime import date

from commune.dossiers.models import SupplementRequest
from commune.dossiers.workflow import record_event, transition
from commune.extensions import db
from tests.factories import make_user, new_dossier
from tests.journeys import open_in_browser

DUE = date(2026, 12, 4)


def _page(client, dossier):
    db.session.commit()
    open_in_browser(client, dossier)
    response = client.get(f"/ho-so/{dossier.code}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _received(clerk):
    dossier = new_dossier()
    transition(dossier, "received", clerk, note="Đã tiếp nhận hồ sơ.")
    dossier.due_date = DUE
    dossier.events[-1].data = {"due_date": DUE.isoformat()}
    return dossier


def test_submitted_dossier_says_wait_for_the_clerk(client):
    dossier = new_dossier(status="draft")
    transition(dossier, "submitted")
    html = _page(client, dossier)
    assert "Bạn chưa cần làm gì" in html
    assert "Đã nộp hồ sơ" in html


def test_received_dossier_shows_due_date_in_the_timeline_and_at_the_top(client):
    clerk = make_user("clerk")
    html = _page(client, _received(clerk))
    assert "Bạn chỉ cần chờ: hẹn trả kết quả Thứ Sáu, 04/12/2026" in html
    assert "Đã tiếp nhận hồ sơ" in html and "Hẹn trả kết quả: Thứ Sáu, 04/12/2026" in html


def test_supplement_request_lists_every_item_and_the_message(client):
    clerk = make_user("clerk")
    dossier = _received(clerk)
    transition(dossier, "needs_supplement", clerk, note="Ảnh giấy chứng sinh bị mờ.")
    db.session.add(SupplementRequest(dossier=dossier, round=1, message="Ảnh giấy chứng sinh bị mờ.", items=[
        {"document_index": 1, "label": "Giấy chứng sinh (ảnh mờ)"},
        {"document_index": None, "label": "Giấy xác nhận cư trú"}]))
    html = _page(client, dossier)
    assert "Hãy gửi bổ sung: Giấy chứng sinh (ảnh mờ); Giấy xác nhận cư trú" in html
    assert "Cán bộ yêu cầu bổ sung giấy tờ" in html
    assert "Ảnh giấy chứng sinh bị mờ." in html
    assert "Gửi bổ sung" in html


def test_ready_at_the_office_says_come_and_collect_with_the_address(client):
    clerk = make_user("clerk")
    dossier = _received(clerk)
    transition(dossier, "ready", clerk, note="Đã có kết quả.")
    html = _page(client, dossier)
    assert "Mời bạn đến nhận kết quả tại Trụ sở UBND xã" in html
    assert "Đã có kết quả" in html


def test_ready_by_post_says_the_post_will_bring_it(client):
    clerk = make_user("clerk")
    dossier = _received(clerk)
    dossier.result_method = "post"
    dossier.delivery_address = "Số 5, thôn Đông"
    transition(dossier, "ready", clerk)
    html = _page(client, dossier)
    assert "chuyển đến: Số 5, thôn Đông" in html


def test_delivery_steps_show_and_a_failed_attempt_says_the_post_will_come_again(client):
    clerk = make_user("clerk")
    postman = make_user("postal")
    dossier = _received(clerk)
    dossier.result_method = "post"
    dossier.delivery_address = "Số 5, thôn Đông"
    transition(dossier, "ready", clerk)
    transition(dossier, "delivering", postman, note="Bưu điện đã nhận kết quả để chuyển phát")
    record_event(dossier, "delivery_handed", postman, public=True)
    record_event(dossier, "delivery_out", postman, public=True)
    record_event(dossier, "delivery_failed", postman, public=True, note="Không có người ở nhà")
    html = _page(client, dossier)
    assert "Kết quả đã được giao cho bưu điện" in html
    assert "Bưu tá đang mang kết quả đến" in html
    assert "Giao kết quả không thành công" in html and "Không có người ở nhà" in html
    assert "Bưu tá chưa giao được (Không có người ở nhà)" in html


def test_delivered_dossier_is_finished_and_asks_for_a_rating(client):
    clerk = make_user("clerk")
    postman = make_user("postal")
    dossier = _received(clerk)
    transition(dossier, "ready", clerk)
    transition(dossier, "delivering", postman)
    record_event(dossier, "delivery_handed", postman, public=True)
    record_event(dossier, "delivery_delivered", postman, public=True, note="Người nhận: Nguyễn Văn An")
    transition(dossier, "returned", postman)
    html = _page(client, dossier)
    assert "Đã giao kết quả thành công" in html
    assert "Mời bạn đánh giá" in html
    assert "Hài lòng" in html


def test_refused_dossier_shows_the_reason(client):
    clerk = make_user("clerk")
    dossier = _received(clerk)
    transition(dossier, "refused", clerk, note="Không thuộc thẩm quyền của xã.")
    html = _page(client, dossier)
    assert "Hồ sơ bị từ chối" in html
    assert "Lý do: Không thuộc thẩm quyền của xã." in html
    assert "Hồ sơ không được giải quyết: Không thuộc thẩm quyền của xã." in html


def test_late_dossier_shows_the_apology_and_new_date(client):
    clerk = make_user("clerk")
    dossier = _received(clerk)
    record_event(dossier, "apology", clerk, public=True, note="Cần xác minh thêm.",
                 data={"new_due": "2026-12-09"})
    dossier.due_date = date(2026, 12, 9)
    html = _page(client, dossier)
    assert "Xin lỗi vì trễ hạn" in html
    assert "Ngày hẹn trả mới: Thứ Tư, 09/12/2026" in html


def test_messages_are_shown_but_staff_notes_are_not(client):
    clerk = make_user("clerk")
    dossier = _received(clerk)
    record_event(dossier, "message", clerk, public=True, note="Mời ông mang bản chính sổ hộ khẩu.")
    record_event(dossier, "note", clerk, public=False, note="Ghi chú nội bộ: gọi lại sau")
    html = _page(client, dossier)
    assert "Mời ông mang bản chính sổ hộ khẩu." in html
    assert "Ghi chú nội bộ" not in html


def test_withdrawn_dossier_says_nothing_more_to_do(client):
    dossier = new_dossier()
    transition(dossier, "withdrawn")
    html = _page(client, dossier)
    assert "Bạn đã rút hồ sơ này" in html
    assert "Đã rút hồ sơ" in html


def test_change_of_result_method_is_offered_until_handed_to_the_post(client):
    clerk = make_user("clerk")
    dossier = _received(clerk)
    html = _page(client, dossier)
    assert f"/ho-so/{dossier.code}/nhan-ket-qua" in html
    transition(dossier, "ready", clerk)
    transition(dossier, "delivering", clerk)
    db.session.commit()
    assert "nhan-ket-qua" not in client.get(f"/ho-so/{dossier.code}").get_data(as_text=True)
