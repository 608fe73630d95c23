"""The admin keeps the working calendar and the commune's settings."""
from datetime import date

import sqlalchemy as sa

from commune.core.audit import AuditEntry
from commune.core.calendar import WorkingCalendar
from commune.core.settings import get_settings
from commune.core.timeutil import local_today
from commune.extensions import db


def test_calendar_lists_this_and_next_years_holidays(client, admin):
    html = client.get("/quan-tri/lich").get_data(as_text=True)
    year = local_today().year
    assert f"01/01/{year}" in html and f"01/01/{year + 1}" in html
    assert f"02/09/{year + 1}" in html  # National Day


def test_extra_day_off_and_make_up_saturday_change_working_days(client, admin):
    client.post("/quan-tri/lich/ngay", data={"day": "2026-12-24", "kind": "off", "note": "Lễ hội xã"})
    client.post("/quan-tri/lich/ngay", data={"day": "2026-12-26", "kind": "working", "note": "Làm bù"})
    calendar = WorkingCalendar.load()
    assert not calendar.is_working_day(date(2026, 12, 24))
    assert calendar.is_working_day(date(2026, 12, 26))
    html = client.get("/quan-tri/lich").get_data(as_text=True)
    assert "Lễ hội xã" in html
    client.post("/quan-tri/lich/ngay/2026-12-24/xoa")
    assert WorkingCalendar.load().is_working_day(date(2026, 12, 24))
    actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert actions.count("calendar.set_day") == 2 and "calendar.remove_day" in actions


def test_a_bad_date_and_a_bad_cutoff_are_explained(client, admin):
    bad_day = client.post("/quan-tri/lich/ngay", data={"day": "", "kind": "off"})
    assert bad_day.status_code == 400 and "Chọn ngày." in bad_day.get_data(as_text=True)
    bad = client.post("/quan-tri/lich/gio-chot", data={"cutoff": "25:99"})
    assert bad.status_code == 400 and "Nhập giờ dạng HH:MM" in bad.get_data(as_text=True)
    client.post("/quan-tri/lich/gio-chot", data={"cutoff": "15:30"})
    assert get_settings()["cutoff"] == "15:30"


def _settings_form(**changes):
    data = {"commune_name": "UBND xã Hòa Bình", "office_name": "Bộ phận Một cửa", "office_address": "Thôn 1",
            "office_phone": "0200 3 811 111", "office_hours": "7:30 – 17:00", "postal_fee_note": "Theo giá bưu điện",
            "smtp_host": "smtp.example.vn", "smtp_port": "587", "smtp_user": "motcua", "smtp_password": "",
            "smtp_from": "motcua@example.vn", "sms_url": "", "sms_auth": "", "draft_retention_days": "30",
            "dossier_retention_years": "20"}
    data.update(changes)
    return data


def test_settings_are_saved_and_secrets_never_shown_back(client, admin):
    client.post("/quan-tri/cai-dat", data=_settings_form(smtp_password="bi-mat-123"))
    values = get_settings()
    assert values["commune_name"] == "UBND xã Hòa Bình" and values["smtp_password"] == "bi-mat-123"
    page = client.get("/quan-tri/cai-dat").get_data(as_text=True)
    assert "bi-mat-123" not in page and "đã lưu" in page
    assert "UBND xã Hòa Bình" in client.get("/").get_data(as_text=True)
    client.post("/quan-tri/cai-dat", data=_settings_form(office_phone="0200 3 822 222"))
    assert get_settings()["smtp_password"] == "bi-mat-123"  # blank keeps the saved secret
    log = client.get("/quan-tri/nhat-ky").get_data(as_text=True)
    assert "bi-mat-123" not in log and "smtp_password" in log and "0200 3 822 222" in log
    client.post("/quan-tri/cai-dat", data=_settings_form(clear_smtp_password="y"))
    assert get_settings()["smtp_password"] == ""


def test_settings_errors_keep_the_input(client, admin):
    response = client.post("/quan-tri/cai-dat", data=_settings_form(commune_name="", office_address="Thôn 9"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'value="Thôn 9"' in html and "error" in html


def test_the_saved_cutoff_moves_due_dates(client, admin):
    from datetime import datetime

    from commune.core.calendar import compute_due_date

    at = datetime(2026, 5, 12, 8, 30)  # Tuesday 15:30 in Viet Nam
    assert compute_due_date(at, 1) == date(2026, 5, 14)  # after the default 15:00
    assert 'value="15:00"' in client.get("/quan-tri/lich").get_data(as_text=True)
    client.post("/quan-tri/lich/gio-chot", data={"cutoff": "16:00"})
    assert compute_due_date(at, 1) == date(2026, 5, 13)


def test_holidays_are_named_in_vietnamese_and_in_english_for_an_english_visitor(client, admin):
    html = client.get("/quan-tri/lich").get_data(as_text=True)
    assert "Tết Nguyên Đán" in html and "Quốc khánh" in html
    assert "Lunar New Year" not in html and "National Day" not in html
    client.get("/ngon-ngu/en")
    html = client.get("/quan-tri/lich").get_data(as_text=True)
    assert "Lunar New Year" in html and "National Day" in html


def _tet_warning(html, year):
    return f"Lịch nghỉ Tết Nguyên Đán {year} chưa được xác nhận" in html


def _coming_tet_year():
    """The next Tết not yet over (this year's until it ends, then next year's)."""
    from commune.core.calendar import tet_days

    year = local_today().year
    return year if tet_days(year)[-1] >= local_today() else year + 1


def test_tet_from_the_holidays_package_is_confirmed_by_the_admin(client, admin):
    year = _coming_tet_year()
    html = client.get("/quan-tri/lich").get_data(as_text=True)
    assert _tet_warning(html, year)
    assert f"/quan-tri/lich/tet/{year}/xac-nhan" in html
    if year > local_today().year:
        assert not _tet_warning(html, year - 1)  # this year's Tết is over: nothing to confirm

    assert client.post(f"/quan-tri/lich/tet/{year}/xac-nhan").status_code == 302
    html = client.get("/quan-tri/lich").get_data(as_text=True)
    assert not _tet_warning(html, year)
    assert f"Đã xác nhận lịch nghỉ Tết Nguyên Đán {year}." in html
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "calendar.confirm_tet")).one()
    assert entry.target == f"tet {year}" and entry.changes["days"][0].startswith(f"{year}-")


def test_the_admins_own_days_around_tet_count_as_its_schedule(client, admin):
    from datetime import timedelta

    from commune.core.calendar import tet_days

    year = _coming_tet_year()
    assert _tet_warning(client.get("/quan-tri/lich").get_data(as_text=True), year)
    make_up = tet_days(year)[-1] + timedelta(days=8)  # a make-up day the government set after Tết
    client.post("/quan-tri/lich/ngay", data={"day": make_up.isoformat(), "kind": "working", "note": "Làm bù Tết"})
    html = client.get("/quan-tri/lich").get_data(as_text=True)
    assert not _tet_warning(html, year)


def test_only_this_and_next_years_tet_can_be_confirmed(client, admin):
    year = local_today().year
    assert client.post(f"/quan-tri/lich/tet/{year + 2}/xac-nhan").status_code == 404
    assert client.post(f"/quan-tri/lich/tet/{year - 1}/xac-nhan").status_code == 404
    assert not db.session.scalars(sa.select(AuditEntry)).all()
