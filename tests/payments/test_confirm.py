"""The desk confirms a payment one by one; nobody else can; the figures count fees by channel."""
import re

import pytest
import sqlalchemy as sa

from commune.core.timeutil import local_today, utcnow
from commune.dossiers.models import DossierEvent
from commune.extensions import db
from commune.payments.models import Payment
from commune.payments.queries import fee_figures
from commune.postal import services as postal
from commune.reports.periods import Period
from tests.factories import make_user, ready_by_post
from tests.journeys import open_in_browser


def confirm(client, dossier, **data):
    return client.post(f"/hop-thu/ho-so/{dossier.id}/thanh-toan", data=data)


def test_the_clerk_confirms_a_transfer_with_the_bank_reference(client, login_as, owing):
    dossier = owing(fee=6000)
    login_as("clerk")
    page = client.get(f"/hop-thu/ho-so/{dossier.id}").get_data(as_text=True)
    assert "Chưa thanh toán" in page and "Đã nhận chuyển khoản" in page
    no_reference = confirm(client, dossier, channel="transfer", amount="6000", reference="")
    assert no_reference.status_code == 400
    assert "Nhập mã giao dịch (số tham chiếu) của ngân hàng." in no_reference.get_data(as_text=True)
    assert confirm(client, dossier, channel="transfer", amount="6000", reference="FT26335777").status_code == 302
    page = client.get(f"/hop-thu/ho-so/{dossier.id}").get_data(as_text=True)
    assert "Đã thanh toán" in page and "FT26335777" in page and "Xác nhận đã nhận lệ phí" in page  # timeline
    event = db.session.scalar(sa.select(DossierEvent).filter_by(dossier_id=dossier.id, kind="payment_confirmed"))
    assert event.public and "6.000 đ" in event.note


def test_a_payment_confirmed_twice_is_refused_with_a_message(client, login_as, owing):
    dossier = owing(fee=6000)
    login_as("clerk")
    assert confirm(client, dossier, channel="desk", amount="6000").status_code == 302
    again = confirm(client, dossier, channel="transfer", amount="6000", reference="FT1")
    html = again.get_data(as_text=True)
    assert again.status_code == 409
    assert "Hồ sơ này đã được xác nhận thanh toán lúc" in html and "Tiền mặt tại quầy" in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 1


def test_one_bank_reference_pays_one_dossier(client, login_as, owing):
    first, second = owing(fee=6000), owing(fee=6000)
    login_as("clerk")
    assert confirm(client, first, channel="transfer", amount="6000", reference="FT42").status_code == 302
    reused = confirm(client, second, channel="transfer", amount="6000", reference="FT42")
    assert reused.status_code == 400
    assert f"Mã giao dịch FT42 đã được dùng để xác nhận hồ sơ {first.display_code}." in reused.get_data(as_text=True)


def test_an_amount_other_than_the_fee_is_flagged_never_silently_accepted(client, login_as, owing):
    dossier = owing(fee=6000)
    login_as("clerk")
    refused = confirm(client, dossier, channel="transfer", amount="5000", reference="FT5")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "Số tiền 5.000 đ khác lệ phí 6.000 đ." in html
    assert 'value="FT5"' in html  # what the clerk typed is kept
    assert confirm(client, dossier, channel="transfer", amount="5000", reference="FT5",
                   accept_difference="y").status_code == 302
    payment = db.session.scalar(sa.select(Payment))
    assert payment.mismatch
    page = client.get(f"/hop-thu/ho-so/{dossier.id}").get_data(as_text=True)
    assert "Số tiền nhận được (5.000 đ) khác lệ phí (6.000 đ)." in page


@pytest.mark.parametrize("role", ["officer", "leader", "postal"])
def test_only_the_desk_confirms_and_imports(client, login_as, owing, role):
    dossier = owing(fee=6000)
    login_as(role)
    assert confirm(client, dossier, channel="desk", amount="6000").status_code == 403
    assert client.post(f"/hop-thu/ho-so/{dossier.id}/le-phi", data={"amount": "1", "reason": "x"}).status_code == 403
    assert client.get("/thanh-toan/sao-ke").status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 0


def test_an_officer_sees_the_fee_but_no_payment_form(client, login_as, owing):
    dossier = owing(fee=6000)
    login_as("officer")
    page = client.get(f"/hop-thu/ho-so/{dossier.id}").get_data(as_text=True)
    assert "Chưa thanh toán" in page and "/thanh-toan" not in page


def test_the_villager_cannot_confirm_their_own_payment(client, owing):
    dossier = owing(fee=6000)
    open_in_browser(client, dossier)
    response = confirm(client, dossier, channel="desk", amount="6000")
    assert response.status_code == 302 and "/dang-nhap" in response.location
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 0


def test_figures_count_fees_due_and_collected_by_channel(client, login_as, owing):
    clerk = make_user("clerk")
    now = utcnow()
    by_transfer, at_desk, unpaid = (owing(fee=6000, received_at=now), owing(fee=8000, received_at=now),
                                    owing(fee=10000, received_at=now))
    login_as("clerk")
    assert confirm(client, by_transfer, channel="transfer", amount="6000", reference="FT7").status_code == 302
    assert confirm(client, at_desk, channel="desk", amount="8000").status_code == 302
    result = ready_by_post(fee=20000, received_at=now)
    manifest = postal.create_manifest([result], clerk)
    carrier = make_user("postal")
    postal.confirm_manifest(manifest, carrier, {i.id: "" for i in manifest.items}, postal.new_token())
    postal.mark_delivered(manifest.items[0], carrier, "tok-fee" * 3, fee_collected=True, fee_amount=20000)
    db.session.commit()
    today = Period(local_today(), local_today())  # the office's day, not the machine's
    figures = fee_figures(today.start_utc, today.end_utc, carrier_vnd=20000)
    assert figures["due_vnd"] == 6000 + 8000 + 10000 + 20000 and unpaid.fee_vnd == 10000
    assert (figures["transfer_vnd"], figures["desk_vnd"], figures["carrier_vnd"]) == (6000, 8000, 20000)
    assert figures["collected_vnd"] == 34000
    login_as("leader")
    page = client.get("/so-lieu?ky=thang-nay").get_data(as_text=True)
    assert 'id="fees-collected">34.000 đ' in page
    # Each amount links to the dossiers behind it, and their fees add up to it (reports/drilldown.py).
    behind = {}
    for figure, amount in (("due", "44.000 đ"), ("transfer", "6.000 đ"), ("desk", "8.000 đ"),
                           ("carrier", "20.000 đ")):
        link = re.search(rf'id="fees-{figure}"><a href="([^"]+)" class="figure-link">{amount}</a>', page)
        assert link, figure
        listed = client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
        behind[figure] = sorted(int(i) for i in re.findall(r'name="ids" value="(\d+)"', listed))
    assert behind["due"] == sorted([by_transfer.id, at_desk.id, unpaid.id, result.id])
    assert (behind["transfer"], behind["desk"], behind["carrier"]) == ([by_transfer.id], [at_desk.id], [result.id])
    register = client.get("/so-lieu/so-theo-doi/in?ky=thang-nay").get_data(as_text=True)
    assert "Lệ phí 6.000 đ, đã nộp (chuyển khoản)" in register and 'id="fees-due">44.000 đ' in register
