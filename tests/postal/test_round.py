"""The round as the carrier walks it (by village, then address, in the carrier's order), its service
worker and web app manifest, and the hand-back sheet both sides keep."""
import re

import sqlalchemy as sa

from commune.core.timeutil import utcnow
from commune.dossiers.address import format_address
from commune.extensions import db
from commune.postal import services
from commune.postal.models import ManifestItem, Round
from commune.web.security import CSP
from tests.factories import make_user, ready_by_post


def _bag(carrier, people):
    """Items handed to `carrier`: people = [(name, village, address)]."""
    clerk = make_user("clerk")
    dossiers = [ready_by_post(name=name, village=village, address=address) for name, village, address in people]
    manifest = services.create_manifest(dossiers, clerk)
    services.confirm_manifest(manifest, carrier, {i.id: "" for i in manifest.items}, services.new_token())
    db.session.commit()
    return {i.recipient_name: i for i in manifest.items}


PEOPLE = [("Lò Thị Mai", "Bản Na Hang", "Nhà số 12, xã Yên Bình, tỉnh Thái Nguyên"),
          ("Hà Văn Sơn", "Thôn Đông", "Nhà số 3, xã Yên Bình, tỉnh Thái Nguyên"),
          ("Vi Thị Hoa", "Bản Na Hang", "Nhà số 12, xã Yên Bình, tỉnh Thái Nguyên"),
          ("Nông Văn Tú", "Bản Na Hang", "Nhà số 40, xã Yên Bình, tỉnh Thái Nguyên")]


def _card(html, item):
    return re.search(r'<article[^>]*id="item-' + str(item.id) + r'".*?</article>', html, re.S).group(0)


def _order(html, names):
    return sorted(names, key=html.index)


def test_the_address_runs_from_the_smallest_unit_to_the_largest():
    assert format_address("Xã Yên Bình, tỉnh Thái Nguyên", "Thôn Đông") == "Thôn Đông, Xã Yên Bình, tỉnh Thái Nguyên"
    assert format_address("Nhà số 12, xã Yên Bình", "Thôn Đông") == "Nhà số 12, Thôn Đông, xã Yên Bình"
    assert format_address("Thôn Đông, xã Yên Bình", "thôn  đông") == "Thôn Đông, xã Yên Bình"  # named once
    assert format_address("Nhà số 12", "Bản Na") == "Nhà số 12, Bản Na"
    assert format_address("", "") == ""


def test_postal_screens_write_the_thon_in_its_place(client, login_as):
    carrier = login_as("postal")
    _bag(carrier, [("Hà Văn Sơn", "Thôn Đông", "Xã Yên Bình, tỉnh Thái Nguyên")])
    for url in ("/buu-chinh", "/buu-chinh/phat/"):
        html = client.get(url).get_data(as_text=True)
        text = re.sub(r"</?bdi>", "", html)  # each part is isolated in its own <bdi>
        assert "<bdi>Thôn Đông</bdi>, <bdi>Xã Yên Bình</bdi>, <bdi>tỉnh Thái Nguyên</bdi>" in html
        assert "Thôn Đông, Xã Yên Bình, tỉnh Thái Nguyên" in text
        assert "tỉnh Thái Nguyên, Thôn Đông" not in text


def test_the_round_goes_by_village_then_address_with_call_and_map_links(client, login_as):
    carrier = login_as("postal")
    items = _bag(carrier, PEOPLE)
    html = client.get("/buu-chinh/phat/").get_data(as_text=True)
    assert "<h1>" in html
    assert html.index("Bản Na Hang") < html.index("Thôn Đông")
    # Two people at the same house are one stop, next to each other.
    stop = html.split('class="round-stop"')
    same_house = [part for part in stop if "Lò Thị Mai" in part]
    assert "Vi Thị Hoa" in same_house[0]
    for item in items.values():
        assert f'href="tel:{item.recipient_phone}"' in html
    assert 'href="geo:0,0?q=Nh%C3%A0%20s%E1%BB%91%2012%2C%20B%E1%BA%A3n%20Na%20Hang' in html
    assert "maps.googleapis" not in html and "tile" not in html  # no map is loaded on the page
    # "Đi phát" sits inside its own item's card.
    card = _card(html, items["Hà Văn Sơn"])
    assert f'/buu-chinh/buu-gui/{items["Hà Văn Sơn"].id}/di-phat' in card and "Đi phát" in card
    assert "<script>" not in html and " style=" not in html


def test_my_items_keep_each_action_inside_its_card_and_the_item_page_has_a_heading(client, login_as):
    carrier = login_as("postal")
    items = _bag(carrier, PEOPLE[:2])
    html = client.get("/buu-chinh").get_data(as_text=True)
    item = items["Hà Văn Sơn"]
    card = _card(html, item)
    assert f"/buu-chinh/buu-gui/{item.id}/di-phat" in card
    page = client.get(f"/buu-chinh/buu-gui/{item.id}").get_data(as_text=True)
    assert re.search(r"<h1>[^<]*Hà Văn Sơn", page)


def test_the_carrier_changes_the_order_without_javascript(client, login_as):
    carrier = login_as("postal")
    items = _bag(carrier, PEOPLE)
    names = ["Lò Thị Mai", "Vi Thị Hoa", "Nông Văn Tú"]
    before = _order(client.get("/buu-chinh/phat/").get_data(as_text=True), names)
    last = items[before[-1]]
    assert client.post(f"/buu-chinh/phat/xep/{last.id}/len").status_code == 302
    after = _order(client.get("/buu-chinh/phat/").get_data(as_text=True), names)
    assert after == [before[0], before[2], before[1]]
    # The whole village moves below the other one.
    assert client.post(f"/buu-chinh/phat/xep-thon/{last.id}/xuong").status_code == 302
    html = client.get("/buu-chinh/phat/").get_data(as_text=True)
    assert html.index("Thôn Đông") < html.index("Bản Na Hang")
    assert _order(html, names) == after  # the order inside the village is kept


def test_another_carriers_item_cannot_be_moved(client, login_as):
    login_as("postal")
    theirs = _bag(make_user("postal"), PEOPLE[:1])["Lò Thị Mai"]
    assert client.post(f"/buu-chinh/phat/xep/{theirs.id}/len").status_code == 403


def test_the_service_worker_is_served_for_the_rounds_scope_with_the_strict_csp(client, login_as):
    login_as("postal")
    response = client.get("/buu-chinh/phat/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Content-Security-Policy"] == CSP and "script-src 'self'" in CSP
    assert "unsafe-inline" not in CSP
    assert response.headers["Service-Worker-Allowed"] == "/buu-chinh/phat/"
    source = response.get_data(as_text=True)
    assert 'new URL("./", self.location).pathname' in source  # its scope: the round's folder only
    manifest = client.get("/buu-chinh/phat/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    assert manifest.json["scope"] == "/buu-chinh/phat/" and manifest.json["start_url"] == "/buu-chinh/phat/"
    page = client.get("/buu-chinh/phat/").get_data(as_text=True)
    assert 'rel="manifest"' in page and 'data-sw="/buu-chinh/phat/sw.js"' in page


def test_the_clerks_pages_do_not_install_the_round(client, login_as):
    login_as("clerk")
    assert 'rel="manifest"' not in client.get("/buu-chinh/cho-chuyen").get_data(as_text=True)
    assert client.get("/buu-chinh/phat/manifest.webmanifest").status_code == 403


def _deliver(client, item, fee):
    url = f"/buu-chinh/buu-gui/{item.id}/da-phat"
    token = re.search(r'name="token"[^>]*value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)
    return client.post(url, data={"token": token, "receiver": "self", "fee_collected": "yes",
                                  "fee_amount": str(fee)})


def test_the_hand_back_sheet_is_confirmed_by_the_office(client, app, login_as):
    carrier = login_as("postal")
    items = _bag(carrier, PEOPLE[:3])
    assert client.post("/buu-chinh/phat/bat-dau").status_code == 302
    assert _deliver(client, items["Lò Thị Mai"], 20000).status_code == 302
    assert _deliver(client, items["Hà Văn Sơn"], 15000).status_code == 302
    back = items["Vi Thị Hoa"]
    page = client.get(f"/buu-chinh/buu-gui/{back.id}").get_data(as_text=True)
    token = re.search(r'name="token"[^>]*value="([^"]+)"', page).group(1)
    client.post(f"/buu-chinh/buu-gui/{back.id}/tra-ve", data={"token": token})
    still = _bag(carrier, [("Đinh Văn Lâm", "Thôn Tây", "Nhà số 1")])["Đinh Văn Lâm"]

    response = client.post("/buu-chinh/phat/ket-thuc")
    assert response.status_code == 302
    sheet_url = response.headers["Location"]
    html = client.get(sheet_url).get_data(as_text=True)
    assert "20.000 đ" in html and "15.000 đ" in html and "35.000 đ" in html
    assert back.reference in html.split("Bưu gửi trả về UBND xã")[1].split("Bưu gửi bưu tá còn giữ")[0]
    assert still.reference in html.split("Bưu gửi bưu tá còn giữ")[1]
    assert "Chờ UBND xã xác nhận" in html
    # Another carrier never sees it.
    other = app.test_client()
    login_as("postal", client_=other)
    assert other.get(sheet_url).status_code == 404

    desk = app.test_client()
    login_as("clerk", client_=desk)
    assert "Chờ xác nhận" in desk.get("/buu-chinh/ban-giao").get_data(as_text=True)
    round_id = int(sheet_url.rstrip("/").split("/")[-1])
    bad = desk.post(f"/buu-chinh/phat/ban-giao/{round_id}/xac-nhan", data={"cash_received": "", "returned_ok": "yes"})
    assert bad.status_code == 400 and "Nhập số tiền đã nhận" in bad.get_data(as_text=True)
    ok = desk.post(f"/buu-chinh/phat/ban-giao/{round_id}/xac-nhan",
                   data={"cash_received": "35000", "returned_ok": "yes", "note": ""})
    assert ok.status_code == 302
    current = db.session.get(Round, round_id)
    assert current.confirmed_at and current.cash_received_vnd == 35000 and current.cash_total_vnd == 35000
    assert "Đã xác nhận" in client.get(sheet_url).get_data(as_text=True)  # the carrier sees it too
    again = desk.post(f"/buu-chinh/phat/ban-giao/{round_id}/xac-nhan",
                      data={"cash_received": "1", "returned_ok": "yes"})
    assert again.status_code == 400 and db.session.get(Round, round_id).cash_received_vnd == 35000


def test_a_round_closed_keeps_its_sheet_as_it_was(client, login_as):
    carrier = login_as("postal")
    item = _bag(carrier, PEOPLE[:1])["Lò Thị Mai"]
    client.post("/buu-chinh/phat/bat-dau")
    sheet_url = client.post("/buu-chinh/phat/ket-thuc").headers["Location"]
    assert item.reference in client.get(sheet_url).get_data(as_text=True)
    _deliver(client, item, 20000)  # delivered the next day, in another round
    html = client.get(sheet_url).get_data(as_text=True)
    assert "Không thu tiền bưu gửi nào" in html and item.reference in html
    assert db.session.scalar(sa.select(ManifestItem.state).where(ManifestItem.id == item.id)) == "delivered"


def test_the_receipt_and_the_tracking_page_name_the_thon(client, app, login_as):
    from tests.factories import new_dossier
    from tests.journeys import open_in_browser

    dossier = new_dossier(status="received", received_at=utcnow(), result_method="post", delivery_name="Hà Văn Sơn",
                          delivery_phone="0987654321", delivery_village="Thôn Đông",
                          delivery_address="Xã Yên Bình, tỉnh Thái Nguyên")
    db.session.commit()
    open_in_browser(client, dossier)
    for url in (f"/ho-so/{dossier.code}", f"/ho-so/{dossier.code}/bien-nhan"):
        html = client.get(url).get_data(as_text=True)
        assert "Thôn Đông, Xã Yên Bình, tỉnh Thái Nguyên" in html, url
    desk = app.test_client()
    login_as("clerk", client_=desk)
    printed = desk.get(f"/hop-thu/ho-so/{dossier.id}/in/tiep-nhan").get_data(as_text=True)
    assert "Thôn Đông, Xã Yên Bình, tỉnh Thái Nguyên" in printed


def test_a_carriers_logout_tells_the_browser_to_drop_the_rounds_copy(client, app, login_as):
    login_as("postal")
    response = client.post("/dang-xuat")
    assert response.status_code == 302
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    desk = app.test_client()
    login_as("clerk", client_=desk)
    assert "Clear-Site-Data" not in desk.post("/dang-xuat").headers
