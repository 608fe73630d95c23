"""The carrier's round with no signal, in a phone: record a failure, a delivery (signature and photo)
and a return offline; the queue survives a reload; back online everything arrives once, in order,
and the villager's timeline shows the time recorded on the phone; logout clears the phone."""
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from commune.core.timeutil import format_datetime, utcnow
from commune.dossiers.events import EventKind
from commune.dossiers.models import DossierEvent
from commune.extensions import db
from commune.postal import services
from commune.postal.models import DeliveryAction, ManifestItem
from tests.browser.conftest import axe_violations, horizontal_overflow
from tests.browser.journeys import camera_photo
from tests.factories import make_user, ready_by_post

pytestmark = pytest.mark.browser

PHONE_BEHIND = 3 * 60 * 60 * 1000  # the phone's clock: three hours before the server's
SHIFT_CLOCK = "(() => { const real = Date.now.bind(Date); Date.now = () => real() - " + str(PHONE_BEHIND) + "; })();"
STORED = """() => new Promise((resolve) => {
  const open = indexedDB.open("mot-cua-xa-phat");
  open.onsuccess = () => {
    const idb = open.result;
    if (!idb.objectStoreNames.contains("kv")) { resolve(0); return; }
    const count = idb.transaction("kv").objectStore("kv").count();
    count.onsuccess = () => resolve(count.result);
  };
  open.onerror = () => resolve(0);
})"""
KEPT = "async () => { const c = await caches.open('carrier-pages-v1'); return (await c.keys()).map(r => r.url); }"


def _round(live_server):
    with live_server.app.app_context():
        clerk = make_user("clerk", username="thu")
        carrier = make_user("postal", username="buuta")
        people = [("Lò Thị Mai", "Bản Na Hang"), ("Hà Văn Sơn", "Thôn Đông"), ("Vi Thị Hoa", "Thôn Đông"),
                  ("Nông Văn Tú", "Thôn Tây")]
        dossiers = [ready_by_post(name=name, village=village)
                    for name, village in people]
        keys = {d.id: d.lookup_key for d in dossiers}  # the receipts' keys: the database keeps only their hashes
        manifest = services.create_manifest(dossiers, clerk)
        services.confirm_manifest(manifest, carrier, {i.id: "" for i in manifest.items}, services.new_token())
        for item in manifest.items:
            item.handed_at = utcnow() - timedelta(hours=6)
        db.session.commit()
        return {i.recipient_name: (i.id, i.dossier.code, keys[i.dossier_id]) for i in manifest.items}


def _wait(page, check, seconds=15):
    """Poll `check` while Playwright keeps handling the page's events (routes included)."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        if check():
            return True
        page.wait_for_timeout(200)
    return False


def _sign(page, canvas):
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 30)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * 20, box["y"] + 30 + (step % 3) * 25)
    page.mouse.up()


def test_a_whole_round_recorded_without_signal_arrives_once_in_order(page, live_server, tmp_path):
    items = _round(live_server)
    page.context.add_init_script(SHIFT_CLOCK)
    page.goto(live_server("/dang-nhap"))
    page.fill("#username", "buuta")
    page.fill("#password", "mat-khau-123")
    page.click("button[type=submit]")
    page.goto(live_server("/buu-chinh/phat/"))
    page.click("text=Bắt đầu chuyến phát")  # one tap: the day's items onto the phone
    expect(page.locator("[data-saved-line]")).to_contain_text("Đã lưu 4 bưu gửi vào máy")
    assert _wait(page, lambda: any(u.endswith("/buu-chinh/phat/") for u in page.evaluate(KEPT)))
    kept = page.evaluate(KEPT)
    assert all("/static/" in u or "/assets/" in u or u.endswith("/buu-chinh/phat/") for u in kept), kept
    assert horizontal_overflow(page) <= 0
    assert not axe_violations(page, live_server)

    page.context.set_offline(True)
    failed, delivered, returned = (page.locator(f"#item-{items[name][0]}")
                                   for name in ("Lò Thị Mai", "Hà Văn Sơn", "Vi Thị Hoa"))
    failed.get_by_role("link", name="Không phát được").click()
    failed.get_by_label("Không có người ở nhà").check()
    failed.get_by_role("button", name="Ghi nhận").click()
    expect(page.locator("[data-queue-count]")).to_have_text("1")

    delivered.get_by_role("link", name="Đã phát").click()
    delivered.get_by_role("button", name="Xác nhận đã phát").click()
    expect(delivered.locator("[data-form-error]")).to_have_text("Cần chữ ký của người nhận.")
    _sign(page, delivered.locator("canvas"))
    delivered.locator("input[name=photo]").set_input_files(camera_photo(tmp_path / "giao.jpg"))
    delivered.get_by_role("button", name="Xác nhận đã phát").click()
    expect(page.locator("[data-queue-count]")).to_have_text("2")

    returned.get_by_role("button", name="Trả về UBND xã").click()
    recalled = items["Nông Văn Tú"][0]
    page.locator(f"#item-{recalled}").get_by_role("button", name="Đi phát").click()
    expect(page.locator("[data-queue-count]")).to_have_text("4")
    expect(page.locator("[data-queue-list] li")).to_have_count(4)
    expect(page.locator("[data-sync-status]")).to_contain_text("Mất sóng")
    with live_server.app.app_context():  # meanwhile the office takes that item back
        services.return_to_office(db.session.get(ManifestItem, recalled), make_user("clerk"), services.new_token())
        db.session.commit()

    page.reload()  # still no signal: the page and the queue come from the phone
    expect(page.locator("[data-queue-count]")).to_have_text("4")
    expect(delivered.locator("[data-local-state]")).to_contain_text("Đã phát")
    with live_server.app.app_context():
        assert not db.session.scalar(sa.select(sa.func.count(DeliveryAction.id))
                                     .where(DeliveryAction.item_id != recalled))  # nothing sent yet

    # The signal comes back, but the answer to the first record is lost on the way: the server
    # stored it, the phone does not know and sends it again.
    lost = []

    def lose_first_answer(route):
        if lost:
            route.continue_()
            return
        lost.append(route.fetch())
        route.abort()

    page.route("**/buu-chinh/phat/ghi", lose_first_answer)
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    assert _wait(page, lambda: lost)
    expect(page.locator("[data-queue-count]")).to_have_text("4")  # nothing leaves the queue unanswered
    page.get_by_role("button", name="Gửi ngay").click()
    expect(page.locator("[data-queue-count]")).to_have_text("0", timeout=20000)
    expect(page.locator("[data-sync-status]")).to_have_text("Đã gửi hết.")
    assert lost[0].status == 201
    problems = page.locator("#carrier-problems")  # the conflict is shown, the server's state kept
    expect(problems).to_be_visible()
    expect(problems).to_contain_text("Nông Văn Tú")
    expect(problems).to_contain_text("UBND xã đã nhận lại bưu gửi này")

    with live_server.app.app_context():
        actions = db.session.scalars(sa.select(DeliveryAction).where(DeliveryAction.item_id != recalled)
                                     .order_by(DeliveryAction.id)).all()
        assert [(a.kind, a.item_id) for a in actions] == [
            ("failed", items["Lò Thị Mai"][0]), ("delivered", items["Hà Văn Sơn"][0]),
            ("returned", items["Vi Thị Hoa"][0])]
        delivery = actions[1]
        assert delivery.at - delivery.happened_at > timedelta(hours=2)  # both times kept
        item = db.session.get(ManifestItem, items["Hà Văn Sơn"][0])
        assert item.signature_file_id and item.proof_file_id and item.fee_collected_vnd == 20000
        event = db.session.scalar(sa.select(DossierEvent).filter_by(dossier_id=item.dossier_id,
                                                                     kind="delivery_delivered"))
        phone_time = format_datetime(event.at)
        server_time = format_datetime(delivery.at)
    assert phone_time != server_time

    page.get_by_role("button", name="Đăng xuất").click()  # logout clears the phone's copy
    page.wait_for_url("**/dang-nhap")
    assert page.evaluate(STORED) == 0
    assert page.evaluate(KEPT) == []

    _, code, key = items["Hà Văn Sơn"]
    page.goto(live_server("/tra-cuu"))
    page.fill("#code", code)
    page.fill("#secret", key)
    page.click("button[type=submit]")
    step = page.locator(".timeline li", has_text=str(EventKind.DELIVERY_DELIVERED.villager_title))
    expect(step).to_contain_text(phone_time)  # the villager sees when it happened on the phone
    assert server_time not in step.inner_text()
    expected = ("net::ERR_FAILED", "409 (CONFLICT)")  # the lost answer, the recalled item's answer
    unexpected = [e for e in page.console_errors if not any(x in e for x in expected)]
    assert not unexpected, unexpected
