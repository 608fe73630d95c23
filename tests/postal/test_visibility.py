"""Each role sees the same delivery truth, and postal staff never see documents or form data."""
import io
import re

import sqlalchemy as sa
from PIL import Image

from commune.dossiers import workflow
from commune.dossiers.attachments import attach_file
from commune.extensions import db
from commune.notices import outbox as notices
from tests.factories import ready_by_post
from tests.journeys import fail_delivery, form_token, qr_link
from tests.photos import images

SECRETS = ("Bí mật gia đình", "001203004567")


def _jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), (200, 40, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


def _document_urls(app, dossier, file_id):
    """Every GET URL that shows a dossier's documents or form data: /tep/… and the inbox dossier pages."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        if not (rule.rule.startswith("/tep/") or rule.rule.startswith("/hop-thu/ho-so/<int:dossier_id>")):
            continue
        values = {"dossier_id": dossier.id, "file_id": file_id}
        if any(arg not in values for arg in rule.arguments):
            continue
        with app.test_request_context():
            from flask import url_for

            urls.append(url_for(rule.endpoint, **{k: values[k] for k in rule.arguments}))
    return urls


def test_postal_staff_are_denied_every_document_url(app, client, login_as, handed):
    carrier = login_as("postal")
    _, (item, _other) = handed(carrier)
    dossier = item.dossier
    assert not dossier.can_view(carrier)
    page = attach_file(dossier, _jpeg(), "giay-khai-sinh.jpg", document_index=0)
    db.session.commit()

    urls = _document_urls(app, dossier, page.id)
    assert f"/tep/{page.id}" in urls and f"/hop-thu/ho-so/{dossier.id}" in urls
    clerk = app.test_client()
    login_as("clerk", client_=clerk)
    assert clerk.get(f"/hop-thu/ho-so/{dossier.id}").status_code == 200  # the URL is real
    for url in urls:
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert not any(s in response.get_data(as_text=True) for s in SECRETS), url


def test_carrier_pages_show_only_what_delivery_needs(client, login_as, handed):
    carrier = login_as("postal")
    _, (item, _other) = handed(carrier)
    procedure_name = item.dossier.procedure_snapshot["name"]
    pages = ["/buu-chinh", f"/buu-chinh/buu-gui/{item.id}", f"/buu-chinh/buu-gui/{item.id}/da-phat",
             f"/buu-chinh/buu-gui/{item.id}/khong-phat-duoc",
             f"/buu-chinh/bang-ke/{item.manifest.number}/in"]
    for url in pages:
        html = client.get(url).get_data(as_text=True)
        assert item.recipient_name in html and item.reference in html, url
        # Never the tracking code: with it and the phone (both on the paper) a stranger could look the dossier up.
        assert item.dossier.code not in html and item.dossier.display_code not in html, url
        assert not any(s in html for s in SECRETS), url
        assert procedure_name not in html, url
    # Nor the clerk's pages.
    assert client.get(f"/buu-chinh/bang-ke/{item.manifest.number}/xem").status_code == 403
    assert client.get("/buu-chinh/bang-ke").status_code == 403


def test_villager_sees_each_public_delivery_step_and_not_the_desk_notes(app, client, login_as, handed):
    carrier = login_as("postal")
    _, (item, _other) = handed(carrier)
    dossier = item.dossier
    page = client.get(f"/buu-chinh/buu-gui/{item.id}").get_data(as_text=True)
    client.post(f"/buu-chinh/buu-gui/{item.id}/di-phat", data={"token": form_token(page)})
    fail_delivery(client, item, "nobody_home")
    url = f"/buu-chinh/buu-gui/{item.id}/da-phat"
    client.post(url, data={"token": form_token(client.get(url).get_data(as_text=True)), "receiver": "self",
                           "fee_collected": "yes", "fee_amount": "20000"})

    villager = app.test_client()
    assert villager.get(qr_link(dossier)).status_code == 302
    pages = [villager.get(f"/ho-so/{dossier.code}/nhan-ket-qua").get_data(as_text=True)]
    pages.append(villager.get(f"/ho-so/{dossier.code}").get_data(as_text=True))
    for html in pages:
        for text in ("giao cho bưu điện", "đang mang kết quả", "không thành công", "Không có người ở nhà",
                     "Người nhận:"):
            assert text in html
        assert "bảng kê" not in html.lower()  # the desk's handover notes stay internal

    # A stranger without the code + phone sees nothing.
    assert app.test_client().get(f"/ho-so/{dossier.code}/nhan-ket-qua").status_code == 404


def test_clerk_follows_every_step_with_time_and_person(app, client, login_as, handed):
    carrier = login_as("postal", username="buuta-an")
    _, (item, _other) = handed(carrier)
    page = client.get(f"/buu-chinh/buu-gui/{item.id}").get_data(as_text=True)
    client.post(f"/buu-chinh/buu-gui/{item.id}/di-phat", data={"token": form_token(page)})
    fail_delivery(client, item, "wrong_address")

    desk = app.test_client()
    login_as("clerk", client_=desk)
    html = desk.get(f"/buu-chinh/bang-ke/{item.manifest.number}/xem").get_data(as_text=True)
    assert "Đi phát" in html and "Không phát được: Sai địa chỉ" in html
    assert carrier.full_name in html
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d", html)


def test_notices_go_out_on_out_for_delivery_failed_attempt_and_delivered(app, client, login_as, handed):
    assert notices.queue_for_event in workflow._listeners  # create_app wires the outbox
    app.config["SMS_URL"] = "http://sms.invalid/send"
    carrier = login_as("postal")
    _, (item, _other) = handed(carrier)
    page = client.get(f"/buu-chinh/buu-gui/{item.id}").get_data(as_text=True)
    client.post(f"/buu-chinh/buu-gui/{item.id}/di-phat", data={"token": form_token(page)})
    fail_delivery(client, item, "nobody_home")
    url = f"/buu-chinh/buu-gui/{item.id}/da-phat"
    client.post(url, data={"token": form_token(client.get(url).get_data(as_text=True)), "receiver": "self",
                           "fee_collected": "no"})
    kinds = db.session.scalars(sa.select(notices.Notice).where(notices.Notice.dossier_id == item.dossier_id)
                               ).all()
    kinds = {n.event.kind for n in kinds if n.event is not None}
    assert {"delivery_out", "delivery_failed", "delivery_delivered"} <= kinds


def test_desk_scanning_an_item_qr_lands_on_its_manifest_and_pages_are_not_cached(app, client, login_as, handed):
    _, (item, _other) = handed()
    login_as("clerk")
    response = client.get(f"/buu-chinh/buu-gui/{item.id}")
    assert response.headers["Location"].endswith(f"/buu-chinh/bang-ke/{item.manifest.number}/xem#item-{item.id}")
    assert "no-store" in client.get("/buu-chinh/cho-chuyen").headers["Cache-Control"]


def test_clerk_inbox_page_shows_the_delivery_steps_and_the_missing_flag(app, client, login_as):
    from commune.postal import services
    from tests.factories import make_user


    carrier, clerk = make_user("postal"), make_user("clerk")
    here, lost = ready_by_post(name="Có"), ready_by_post(name="Mất")
    manifest = services.create_manifest([here, lost], clerk)
    services.confirm_manifest(manifest, carrier, {manifest.items[0].id: ""}, services.new_token())
    services.mark_failed(manifest.items[0], carrier, services.new_token(), "wrong_address")
    db.session.commit()
    login_as("clerk")
    html = client.get(f"/hop-thu/ho-so/{here.id}").get_data(as_text=True)
    assert "Sai địa chỉ" in html and "giao cho bưu điện" in html
    html = client.get(f"/hop-thu/ho-so/{lost.id}").get_data(as_text=True)
    assert "Không có trong túi" in html


def test_the_carrier_sees_the_delivery_photo_of_an_item_they_hold_and_no_one_else_does(app, client, login_as,
                                                                                       handed):
    carrier, items = handed(carrier=login_as("postal"))
    item = items[0]
    proof = attach_file(item.dossier, images.jpeg(color=(0, 90, 0)), "proof.jpg", round=-1, purpose="proof")
    item.proof_file_id = proof.id
    db.session.commit()
    url = f"/buu-chinh/buu-gui/{item.id}/anh-giao-nhan"
    served = client.get(url)
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert "no-store" in served.headers["Cache-Control"]
    assert client.get(f"/buu-chinh/buu-gui/{items[1].id}/anh-giao-nhan").status_code == 404  # no photo yet
    other = app.test_client()
    login_as("postal", client_=other)
    assert other.get(url).status_code == 403  # another carrier's item
