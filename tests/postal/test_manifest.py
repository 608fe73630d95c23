"""The clerk hands results to the post on a printed manifest; the post confirms what it received."""
import re

import sqlalchemy as sa

from commune.dossiers.models import DossierEvent
from commune.extensions import db
from commune.postal.models import Manifest, ManifestItem
from tests.factories import ready_by_post


def _manifest():
    return db.session.scalar(sa.select(Manifest).order_by(Manifest.id.desc()))


def test_clerk_sees_results_waiting_for_the_post_and_makes_a_manifest(client, login_as):
    login_as("clerk")
    a = ready_by_post(name="Lò Thị Mai")
    b = ready_by_post(name="Hà Văn Sơn")
    ready_by_post(name="Ở quầy").result_method = "office"
    db.session.commit()

    page = client.get("/buu-chinh/cho-chuyen").get_data(as_text=True)
    assert "Lò Thị Mai" in page and "Hà Văn Sơn" in page and "Ở quầy" not in page

    response = client.post("/buu-chinh/bang-ke/moi", data={f"pick_{a.id}": "y", f"fee_{a.id}": "25000",
                                                           f"fee_{b.id}": "0"})
    assert response.status_code == 302
    manifest = _manifest()
    assert re.fullmatch(r"BK-\d{4}-0001", manifest.number)
    assert [i.dossier_id for i in manifest.items] == [a.id]
    assert manifest.items[0].fee_vnd == 25000
    assert response.headers["Location"].endswith(f"/buu-chinh/bang-ke/{manifest.number}/in")

    # On a manifest: no longer waiting; the other one still is.
    page = client.get("/buu-chinh/cho-chuyen").get_data(as_text=True)
    assert "Lò Thị Mai" not in page and "Hà Văn Sơn" in page


def test_manifest_numbers_follow_each_other(client, login_as):
    login_as("clerk")
    first, second = ready_by_post(), ready_by_post()
    db.session.commit()
    client.post("/buu-chinh/bang-ke/moi", data={f"pick_{first.id}": "y"})
    client.post("/buu-chinh/bang-ke/moi", data={f"pick_{second.id}": "y"})
    numbers = db.session.scalars(sa.select(Manifest.number).order_by(Manifest.id)).all()
    assert [n[-4:] for n in numbers] == ["0001", "0002"]


def test_inbox_link_preselects_one_result(client, login_as):
    login_as("clerk")
    a, b = ready_by_post(name="Chọn sẵn"), ready_by_post(name="Không chọn")
    db.session.commit()
    page = client.get(f"/buu-chinh/bang-ke/moi?d={a.id}").get_data(as_text=True)
    assert re.search(rf'<input checked[^>]*name="pick_{a.id}"', page)
    assert not re.search(rf'<input checked[^>]*name="pick_{b.id}"', page)
    page = client.get(f"/buu-chinh/bang-ke/moi?ids={b.id}").get_data(as_text=True)  # the inbox's ticked rows
    assert re.search(rf'<input checked[^>]*name="pick_{b.id}"', page)
    assert not re.search(rf'<input checked[^>]*name="pick_{a.id}"', page)


def test_making_an_empty_manifest_says_what_to_do(client, login_as):
    login_as("clerk")
    ready_by_post()
    db.session.commit()
    response = client.post("/buu-chinh/bang-ke/moi", data={})
    assert response.status_code == 400
    assert "Chọn ít nhất một kết quả" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Manifest.id))) == 0


def test_printed_manifest_has_every_item_qr_codes_and_signature_boxes(client, login_as):
    login_as("clerk")
    d = ready_by_post(name="Lò Thị Mai", phone="0987654321", address="Nhà số 12", village="Bản Na Hang",
                      fee=30000)
    db.session.commit()
    client.post("/buu-chinh/bang-ke/moi", data={f"pick_{d.id}": "y", f"fee_{d.id}": "30000"})
    manifest = _manifest()
    response = client.get(f"/buu-chinh/bang-ke/{manifest.number}/in")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for text in (manifest.number, f"{manifest.number}/01", "Lò Thị Mai", "0987 654 321", "Nhà số 12",
                 "Bản Na Hang", "30.000 đ", "Bên giao", "Bên nhận"):
        assert text in html
    assert d.display_code not in html and d.code not in html  # the paper travels: no tracking code on it
    assert html.count("<svg") == 2  # the manifest's QR and one per item
    assert " style=" not in html and "<style" not in html  # strict CSP
    assert "Bí mật gia đình" not in html and "001203004567" not in html  # no form data, no ID


def test_post_confirms_with_an_item_missing_from_the_bag(client, login_as):
    clerk_client = client.application.test_client()
    login_as("clerk", client_=clerk_client)
    carrier = login_as("postal")
    here, lost = ready_by_post(name="Có trong túi"), ready_by_post(name="Thất lạc")
    db.session.commit()
    clerk_client.post("/buu-chinh/bang-ke/moi", data={f"pick_{here.id}": "y", f"pick_{lost.id}": "y"})
    manifest = _manifest()
    item_here, item_lost = manifest.items

    # Opening by number (as typed on a phone) leads to the manifest.
    response = client.post("/buu-chinh/nhan-bang-ke", data={"number": manifest.number.lower().replace("-", " ")})
    assert response.headers["Location"].endswith(f"/buu-chinh/bang-ke/{manifest.number}")
    page = client.get(f"/buu-chinh/bang-ke/{manifest.number}").get_data(as_text=True)
    token = re.search(r'name="token"[^>]*value="([^"]+)"', page).group(1)

    response = client.post(f"/buu-chinh/bang-ke/{manifest.number}", data={
        "token": token, f"got_{item_here.id}": "y", f"s10_{item_here.id}": "EB 123 456 785 VN"})
    assert response.status_code == 302
    assert item_here.state == "held" and item_here.carrier_id == carrier.id
    assert item_here.item_number == "EB123456785VN"
    assert here.status == "delivering"
    assert item_lost.state == "missing" and lost.status == "ready"
    assert manifest.status == "confirmed"

    # The carrier now holds one item; the clerk sees the missing one flagged and waiting again.
    assert "Có trong túi" in client.get("/buu-chinh").get_data(as_text=True)
    assert "Thất lạc" not in client.get("/buu-chinh").get_data(as_text=True)
    page = clerk_client.get(f"/buu-chinh/bang-ke/{manifest.number}/xem").get_data(as_text=True)
    assert "Thiếu khi bàn giao" in page
    waiting = clerk_client.get("/buu-chinh/cho-chuyen").get_data(as_text=True)
    assert "Thất lạc" in waiting and "Từng thiếu khi bàn giao" in waiting
    missing = db.session.scalar(sa.select(DossierEvent).filter_by(dossier_id=lost.id, kind="delivery_missing"))
    assert missing is not None and not missing.public

    # Sending the confirmation again changes nothing.
    client.post(f"/buu-chinh/bang-ke/{manifest.number}", data={"token": token, f"got_{item_lost.id}": "y"})
    assert item_lost.state == "missing"
    assert "đã được xác nhận" in client.get(f"/buu-chinh/bang-ke/{manifest.number}").get_data(as_text=True)


def test_a_wrong_carrier_item_number_is_refused_and_nothing_is_confirmed(client, login_as):
    clerk_client = client.application.test_client()
    login_as("clerk", client_=clerk_client)
    login_as("postal")
    d = ready_by_post()
    db.session.commit()
    clerk_client.post("/buu-chinh/bang-ke/moi", data={f"pick_{d.id}": "y"})
    manifest = _manifest()
    item = manifest.items[0]
    response = client.post(f"/buu-chinh/bang-ke/{manifest.number}", data={
        "token": "t" * 32, f"got_{item.id}": "y", f"s10_{item.id}": "EB123456784VN"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Số hiệu bưu gửi không đúng" in html and "EB123456784VN" in html  # input kept
    assert manifest.status == "open" and item.state == "pending"


def test_unknown_manifest_number_gets_a_clear_message(client, login_as):
    login_as("postal")
    response = client.post("/buu-chinh/nhan-bang-ke", data={"number": "BK-2026-9999"})
    assert response.status_code == 400
    assert "Không có bảng kê số này" in response.get_data(as_text=True)


def test_only_the_desk_makes_manifests(client, login_as):
    login_as("postal")
    assert client.get("/buu-chinh/cho-chuyen").status_code == 403
    assert client.post("/buu-chinh/bang-ke/moi", data={}).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(ManifestItem.id))) == 0
