"""The commune's receiving account: the admin settings page, the CLI for scripted installs, the demo."""
import sqlalchemy as sa

from commune.core.audit import AuditEntry
from commune.extensions import db
from commune.payments.banks import banks, receiving_account
from commune.payments.models import Payment
from tests.admin.test_calendar_settings import _settings_form


def test_the_shipped_bank_list_has_each_bin_once():
    bins = [b.bin_code for b in banks()]
    assert len(bins) == len(set(bins)) > 40
    assert all(len(b) == 6 and b.isdigit() for b in bins)
    names = {b.short_name: b.bin_code for b in banks()}
    assert names["Agribank"] == "970405" and names["Vietcombank"] == "970436" and names["VietinBank"] == "970415"


def test_the_admin_enters_the_account_on_the_settings_page(client, login_as):
    login_as("admin")
    page = client.get("/quan-tri/cai-dat").get_data(as_text=True)
    assert "Tài khoản nhận lệ phí (VietQR)" in page and "Agribank — Ngân hàng Nông nghiệp" in page
    half = client.post("/quan-tri/cai-dat", data=_settings_form(payment_bank_bin="970405", payment_account_number=""))
    assert half.status_code == 200 and "Chọn ngân hàng và nhập số tài khoản" in half.get_data(as_text=True)
    assert receiving_account() is None
    saved = client.post("/quan-tri/cai-dat", data=_settings_form(
        payment_bank_bin="970405", payment_account_number="8888000012345", payment_account_name="Ủy ban xã Hòa Bình"))
    assert saved.status_code == 302
    account = receiving_account()
    assert (account.bank_name, account.number, account.name) == ("Agribank", "8888000012345", "UY BAN XA HOA BINH")
    assert db.session.scalar(sa.select(AuditEntry).filter_by(action="settings.update")) is not None


def test_a_scripted_install_sets_the_account_from_the_cli(app, runner):
    result = runner.invoke(args=["payments", "set-account", "--bank", "Vietcombank", "--account", "0011001932418",
                                 "--name", "UBND xã Mẫu"])
    assert result.exit_code == 0, result.output
    assert "Vietcombank (970436) 0011001932418 UBND XA MAU" in result.output
    assert receiving_account().bin_code == "970436"
    wrong = runner.invoke(args=["payments", "set-account", "--bank", "Ngân hàng ma", "--account", "1234",
                                "--name", "X"])
    assert wrong.exit_code != 0 and "unknown bank" in wrong.output


def test_the_demo_sets_a_demo_account(app, runner):
    result = runner.invoke(args=["demo", "--dossiers", "40"])
    assert result.exit_code == 0, result.output
    assert receiving_account().bank_name == "Agribank"
    channels = set(db.session.scalars(sa.select(Payment.channel)))
    assert channels == {"transfer", "desk"}  # the figures' channels have something to show
