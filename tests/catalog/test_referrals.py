"""A villager searching for something the commune does not do (tạm trú, căn cước, hộ chiếu, bảo hiểm…)
is sent to the office that does it, and is not shown unrelated procedures as if they were the answer."""
import json
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from commune.catalog.referrals import Referral, ReferralError, load_referrals, read_referrals
from commune.core.audit import AuditEntry
from commune.extensions import db
from tests.factories import make_procedure

HTMX = {"HX-Request": "true"}
BOX = "Việc này không làm ở UBND xã"
FOREIGN_MARRIAGE = "Đăng ký kết hôn có yếu tố nước ngoài"


@pytest.fixture
def referrals(catalog):
    """The real catalog and the default list of needs handled elsewhere, as `flask setup` loads them."""
    load_referrals(read_referrals())
    db.session.commit()


def page(client, query, headers=None):
    response = client.get(f"/tim-kiem?q={quote(query)}", headers=headers or {})
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize("query, office", [
    ("đăng ký tạm trú", "Công an xã"),
    ("tạm trú", "Công an xã"),
    ("tam tru", "Công an xã"),
    ("làm căn cước", "Công an xã"),
    ("căn cước công dân", "Công an xã"),
    ("chứng minh thư", "Công an xã"),
    ("hộ khẩu", "Công an xã"),
    ("hộ chiếu", "Phòng Quản lý xuất nhập cảnh"),
    ("bảo hiểm xã hội", "Bảo hiểm xã hội cơ sở"),
    ("bảo hiểm y tế", "Bảo hiểm xã hội cơ sở"),
])
def test_a_need_handled_elsewhere_leads_to_its_office(client, referrals, query, office):
    html = page(client, query)
    assert BOX in html and office in html
    assert FOREIGN_MARRIAGE not in html and "Tạm ngừng kinh doanh" not in html
    assert "Không tìm thấy thủ tục nào" not in html  # the box is the answer, not "nothing found"


def test_the_live_search_fragment_shows_the_same_box(client, referrals):
    fragment = page(client, "tạm trú", HTMX)
    assert "<html" not in fragment
    assert BOX in fragment and "Công an xã" in fragment and "VNeID" in fragment
    assert 'href="https://dichvucong.gov.vn"' in fragment
    assert FOREIGN_MARRIAGE not in fragment


def test_the_contact_is_shown_with_a_phone_link(client, referrals):
    html = page(client, "bhxh")
    assert 'href="tel:19009068"' in html and "baohiemxahoi.gov.vn" in html


def test_a_procedure_that_really_names_the_need_still_shows_below(client, referrals):
    make_procedure(name="Đăng ký khai sinh, thường trú, cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi")
    html = page(client, "bảo hiểm y tế")
    assert html.index(BOX) < html.index("cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi")


def test_a_commune_procedure_done_with_the_document_gets_no_box(client, referrals):
    """Certifying a copy of one's căn cước is done at the commune: no "go to the police" box."""
    assert BOX not in page(client, "chứng thực căn cước")
    assert BOX not in page(client, "khai sinh")


def test_loading_the_default_list_twice_adds_nothing_and_keeps_the_admins_edits(app, catalog):
    assert load_referrals(read_referrals()) > 5
    entry = db.session.scalar(sa.select(Referral).filter_by(key="cu-tru"))
    entry.phone = "0200 3 811 111"
    db.session.commit()
    count = db.session.scalar(sa.select(sa.func.count(Referral.id)))
    assert load_referrals(read_referrals()) == 0
    assert db.session.scalar(sa.select(sa.func.count(Referral.id))) == count
    assert db.session.scalar(sa.select(Referral.phone).filter_by(key="cu-tru")) == "0200 3 811 111"


def test_the_cli_loads_the_list_once(runner):
    first = runner.invoke(args=["catalog", "referrals"])
    assert first.exit_code == 0 and "added" in first.output
    again = runner.invoke(args=["catalog", "referrals"])
    assert "referrals: 0 added" in again.output


def test_a_malformed_list_names_the_entry(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"referrals": [{"key": "x", "office": "Công an", "sentence": "…", "phrases": []}]}))
    with pytest.raises(ReferralError, match="referral x"):
        read_referrals(bad)


def form(**values):
    data = {"phrases": "rượu\ngiấy phép bán rượu", "office": "Sở Công Thương tỉnh",
            "sentence": "Giấy phép bán lẻ rượu do Sở Công Thương cấp.", "address": "", "phone": "0200 3 822 222",
            "url": "https://sct.example.gov.vn", "position": "5"}
    data.update(values)
    return data


def test_the_admin_adds_edits_and_deletes_an_entry_and_search_follows_at_once(client, catalog, login_as):
    login_as("admin")
    before = client.get("/tim-kiem?q=giay+phep+ban+ruou")
    assert BOX not in before.get_data(as_text=True)

    assert client.post("/quan-tri/viec-noi-khac/moi", data=form()).status_code == 302
    entry = db.session.scalar(sa.select(Referral).filter_by(office="Sở Công Thương tỉnh"))
    assert entry.phrases == ["rượu", "giấy phép bán rượu"]
    entry_id = entry.id
    # The phone's copy from before is not current any more: a fresh page with the box.
    after = client.get("/tim-kiem?q=giay+phep+ban+ruou", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and BOX in after.get_data(as_text=True)
    assert "Sở Công Thương tỉnh" in after.get_data(as_text=True)

    listing = client.get("/quan-tri/viec-noi-khac").get_data(as_text=True)
    assert "Sở Công Thương tỉnh" in listing
    edit_page = client.get(f"/quan-tri/viec-noi-khac/{entry.id}").get_data(as_text=True)
    assert "giấy phép bán rượu" in edit_page
    assert client.post(f"/quan-tri/viec-noi-khac/{entry.id}",
                       data=form(office="Phòng Kinh tế UBND tỉnh")).status_code == 302
    html = page(client, "rượu", HTMX)
    assert "Phòng Kinh tế UBND tỉnh" in html and "Sở Công Thương tỉnh" not in html

    assert client.post(f"/quan-tri/viec-noi-khac/{entry_id}/xoa").status_code == 302
    assert db.session.get(Referral, entry_id) is None
    assert BOX not in page(client, "rượu")

    actions = db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["referral.create", "referral.update", "referral.delete"]
    log = client.get("/quan-tri/nhat-ky").get_data(as_text=True)
    assert "Phòng Kinh tế UBND tỉnh" in log


def test_a_phrase_another_entry_has_is_refused_with_the_input_kept(client, referrals, login_as):
    login_as("admin")
    response = client.post("/quan-tri/viec-noi-khac/moi", data=form(phrases="Tam tru"))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "đã có ở mục" in html and "Sở Công Thương tỉnh" in html


def test_a_bad_web_address_is_refused(client, catalog, login_as):
    login_as("admin")
    response = client.post("/quan-tri/viec-noi-khac/moi", data=form(url="javascript:alert(1)"))
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Referral.id))) == 0


@pytest.mark.parametrize("role", ["clerk", "leader", "officer"])
def test_other_staff_cannot_edit_the_list(client, referrals, login_as, role):
    login_as(role)
    entry = db.session.scalar(sa.select(Referral).filter_by(key="cu-tru"))
    assert client.get("/quan-tri/viec-noi-khac").status_code == 403
    assert client.get(f"/quan-tri/viec-noi-khac/{entry.id}").status_code == 403
    assert client.post("/quan-tri/viec-noi-khac/moi", data=form()).status_code == 403
    assert client.post(f"/quan-tri/viec-noi-khac/{entry.id}/xoa").status_code == 403
    assert db.session.get(Referral, entry.id) is not None
    assert db.session.scalar(sa.select(sa.func.count(Referral.id)).filter_by(office="Sở Công Thương tỉnh")) == 0
