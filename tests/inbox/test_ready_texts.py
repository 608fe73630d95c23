"""Ready-made texts in the supplement-request and refusal forms: pick one, edit it, send it."""
import html as html_lib
import re

from commune.dossiers.models import SupplementRequest
from commune.extensions import db
from commune.inbox.ready_texts import ReadyText
from tests.factories import make_dossier, make_procedure
from tests.journeys import act


def add_text(kind, title, body, procedure=None, position=0):
    text = ReadyText(kind=kind, title=title, body=body, position=position,
                     procedure_id=procedure.id if procedure else None)
    db.session.add(text)
    db.session.flush()
    return text


def box(page, name):
    """The text of a textarea on the page (unescaped)."""
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    assert match, name
    return html_lib.unescape(match.group(1)).strip()


def menu(page, key):
    match = re.search(rf'<select[^>]*name="{key}-ready_text"[^>]*>(.*?)</select>', page, re.S)
    return re.findall(r">([^<]+)</option>", match.group(1)) if match else []


def pick(client, dossier, key, text, **typed):
    data = {f"{key}-version": str(dossier.version), f"{key}-seen": "0", f"{key}-ready_text": str(text.id)}
    data.update({f"{key}-{k}": v for k, v in typed.items()})
    return client.post(f"/hop-thu/ho-so/{dossier.id}/mau-cau/{key}", data=data)


def test_the_clerk_sees_the_procedures_own_texts_first_then_the_commune_wide_ones(client, login_as, procedure):
    login_as("clerk")
    other = make_procedure(name="Chứng thực bản sao thử")
    add_text("supplement", "Ảnh mờ", "Ảnh chụp bị mờ.", position=0)
    add_text("supplement", "Thiếu giấy chứng sinh", "Thiếu giấy chứng sinh của bệnh viện.", procedure, position=5)
    add_text("supplement", "Thiếu bản chính", "Mang bản chính đến.", other)
    add_text("refuse", "Không thuộc thẩm quyền", "Không thuộc thẩm quyền của xã.")
    dossier = make_dossier(procedure, "submitted")
    db.session.commit()

    page = client.get(f"/hop-thu/ho-so/{dossier.id}").get_data(as_text=True)
    assert menu(page, "supplement") == ["Thiếu giấy chứng sinh", "Ảnh mờ (chung)"]
    assert menu(page, "refuse") == ["Không thuộc thẩm quyền (chung)"]
    assert "Thiếu bản chính" not in page  # another procedure's text
    assert menu(page, "message") == []  # only the two forms that write to the villager offer texts


def test_picking_a_text_puts_it_in_the_box_keeps_what_was_typed_and_sends_nothing(client, login_as, procedure):
    login_as("clerk")
    text = add_text("supplement", "Ảnh mờ", "Ảnh chụp giấy chứng sinh bị mờ, vui lòng chụp lại.")
    dossier = make_dossier(procedure, "received")
    db.session.commit()

    response = pick(client, dossier, "supplement", text, message="Kính gửi ông/bà,", items="1")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert box(page, "supplement-message") == "Kính gửi ông/bà,\nẢnh chụp giấy chứng sinh bị mờ, vui lòng chụp lại."
    assert re.search(r'<details class="action action-supplement" open', page)  # the form stays open
    assert re.search(r'name="supplement-items"[^>]*value="1"[^>]*checked|checked[^>]*value="1"', page)
    db.session.refresh(dossier)
    assert dossier.status == "received" and not db.session.query(SupplementRequest).count()

    # The clerk edits the text and sends it: the villager gets the edited words.
    edited = box(page, "supplement-message") + " Xin cảm ơn."
    response = act(client, dossier, "supplement", {"message": edited, "items": "1"})
    assert response.status_code == 302
    assert db.session.query(SupplementRequest).one().message == edited


def test_a_refusal_reason_comes_from_a_text_into_an_empty_box(client, login_as, procedure):
    login_as("clerk")
    text = add_text("refuse", "Nộp trùng", "Hồ sơ này trùng với một hồ sơ đang được giải quyết.")
    dossier = make_dossier(procedure, "submitted")
    db.session.commit()
    page = pick(client, dossier, "refuse", text).get_data(as_text=True)
    assert box(page, "refuse-reason") == "Hồ sơ này trùng với một hồ sơ đang được giải quyết."
    # Picking it twice does not write it twice.
    again = pick(client, dossier, "refuse", text, reason=box(page, "refuse-reason")).get_data(as_text=True)
    assert box(again, "refuse-reason") == "Hồ sơ này trùng với một hồ sơ đang được giải quyết."


def test_a_text_not_offered_for_this_dossier_is_refused_with_a_message(client, login_as, procedure):
    login_as("clerk")
    other = make_procedure(name="Thủ tục khác")
    elsewhere = add_text("supplement", "Của thủ tục khác", "Không dùng ở đây.", other)
    wrong_kind = add_text("refuse", "Từ chối", "Lý do từ chối.")
    dossier = make_dossier(procedure, "submitted")
    db.session.commit()
    for text in (elsewhere, wrong_kind):
        response = pick(client, dossier, "supplement", text, message="Đã viết")
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        assert "Chọn một mẫu câu trong danh sách." in page
        assert box(page, "supplement-message") == "Đã viết"  # nothing typed is lost
    assert client.post(f"/hop-thu/ho-so/{dossier.id}/mau-cau/note", data={}).status_code == 404


def test_who_may_not_take_the_action_may_not_pick_its_text(client, login_as, procedure):
    login_as("leader")
    text = add_text("refuse", "Nộp trùng", "Trùng.")
    dossier = make_dossier(procedure, "submitted")
    db.session.commit()
    assert pick(client, dossier, "refuse", text).status_code == 403


def test_a_dossier_past_the_action_answers_409_and_changes_nothing(client, login_as, procedure):
    login_as("clerk")
    text = add_text("refuse", "Nộp trùng", "Trùng.")
    dossier = make_dossier(procedure, "returned")
    db.session.commit()
    assert pick(client, dossier, "refuse", text).status_code == 409
