"""The figures page, its downloads and the printable report, for the roles that may see them."""
import csv
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook

from commune.extensions import db
from commune.reports.periods import make_period

PERIOD = "?ky=tuy-chon&tu=2026-04-01&den=2026-05-31"


def kpi(html, name):
    """The text of a headline figure (its number may be a link to the dossiers behind it)."""
    return re.sub(r"<[^>]+>", "", re.search(rf'id="kpi-{name}">(.*?)</dd>', html).group(1))


@pytest.mark.parametrize("role", ["leader", "admin", "clerk"])
def test_leader_admin_and_clerk_see_the_figures(known, client, login_as, role):
    login_as(role)
    page = client.get("/so-lieu" + PERIOD)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert kpi(html, "received") == "7"
    assert kpi(html, "on-time") == "66.7%"
    assert "<svg" in html and 'class="bar-early"' in html
    assert "style=" not in html.split("<main", 1)[1]
    assert ("Theo cán bộ xử lý" in html) == (role != "clerk")


@pytest.mark.parametrize("role", ["officer", "postal"])
def test_other_staff_may_not_see_the_figures(client, login_as, role):
    login_as(role)
    assert client.get("/so-lieu").status_code == 403
    assert client.get("/so-lieu/xuat/so-lieu.csv").status_code == 403


def test_visitors_are_sent_to_login(client):
    response = client.get("/so-lieu")
    assert response.status_code == 302 and "/dang-nhap" in response.headers["Location"]


def test_custom_period_without_dates_says_so(client, login_as):
    login_as("leader")
    html = client.get("/so-lieu?ky=tuy-chon").get_data(as_text=True)
    assert "Chọn cả ngày bắt đầu và ngày kết thúc." in html


def test_a_custom_period_longer_than_five_years_is_refused_with_a_message(client, login_as):
    login_as("leader")
    response = client.get("/so-lieu?ky=tuy-chon&tu=1990-01-01&den=2026-10-31")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Chọn khoảng thời gian không quá 5 năm." in html
    assert 'value="1990-01-01"' in html  # what was typed stays in the form
    assert "01/01/1990" not in html  # and this month's figures are shown instead
    assert make_period("thang-nay").label in html


def test_figures_download_as_csv(known, client, login_as):
    login_as("leader")
    response = client.get("/so-lieu/xuat/so-lieu.csv" + PERIOD)
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["Cấp", "Tên", "Tiếp nhận"]
    overall = rows[1]
    assert overall[0] == "Tổng cộng" and overall[2] == "7" and overall[11] == "66.7"
    assert any(r[0] == "Lĩnh vực" and r[1] == "Đất đai" and r[10] == "1" for r in rows)


def test_register_downloads_as_excel_form_07(known, client, login_as):
    login_as("clerk")
    response = client.get("/so-lieu/xuat/so-theo-doi.xlsx" + PERIOD)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "Mẫu 07" in rows[0][0]
    assert rows[1][:3] == ("STT", "Mã hồ sơ", "Người nộp")
    body = rows[2:]
    assert len(body) == 7
    first = body[0]
    assert first[2] == "Nguyễn Văn An" and first[4] == "Đăng ký khai sinh (thử)"
    assert first[6] == "29/04/2026" and first[7] == "05/05/2026"
    late = next(r for r in body if r[1].replace("-", "").startswith("LATE"))
    assert late[9] == "06/05/2026" and late[10] == "Đã trả kết quả"


def test_register_downloads_as_csv(known, client, login_as):
    login_as("admin")
    text = client.get("/so-lieu/xuat/so-theo-doi.csv" + PERIOD).get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 8
    assert {r[10] for r in rows[1:]} >= {"Từ chối", "Đã rút", "Đang xử lý"}


def test_unknown_export_is_not_found(client, login_as):
    login_as("leader")
    assert client.get("/so-lieu/xuat/khac.pdf").status_code == 404


def test_printable_monthly_report(known, client, login_as):
    login_as("leader")
    html = client.get("/so-lieu/bao-cao-thang?thang=2026-05").get_data(as_text=True)
    assert "BÁO CÁO TÌNH HÌNH GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH" in html
    assert "01/05/2026 – 31/05/2026" in html
    assert kpi(html, "resolved") == "3"
    assert client.get("/so-lieu/bao-cao-thang?thang=rac").status_code == 200


def test_the_register_carries_the_unit_the_signature_and_the_notes_columns(known, client, login_as):
    late = known["dossiers"]["late"]
    late.competent_unit, late.supplement_count, late.result_method = "UBND xã Mẫu", 1, "post"
    late.missed_due_date = date(2026, 5, 5)
    db.session.commit()
    login_as("clerk")
    rows = list(csv.reader(io.StringIO(client.get("/so-lieu/xuat/so-theo-doi.csv" + PERIOD)
                                       .get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][-3:] == ["Cơ quan giải quyết", "Ký nhận", "Ghi chú"]
    row = next(r for r in rows if r[1].replace("-", "").startswith("LATE"))
    assert row[-3] == "UBND xã Mẫu" and row[-2] == ""
    assert row[-1] == "Bổ sung 1 lần; Trễ hạn (hẹn 05/05/2026); Trả qua bưu chính"


def test_the_register_prints_on_a4_landscape_for_the_period(known, app, client, login_as):
    login_as("leader")
    response = client.get("/so-lieu/so-theo-doi/in" + PERIOD)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "SỔ THEO DÕI HỒ SƠ" in html and '<section class="register-sheet">' in html
    assert html.count("<tr><td>") == 7  # the seven dossiers of the period, not the one before it
    assert "Nguyễn Văn An" in html and "Ký nhận" in html
    assert "BEFORE" not in html.replace("-", "")
    css = client.get(re.search(r'<link rel="stylesheet" href="([^"]+)"', html).group(1)).get_data(as_text=True)
    assert "@page register{size:A4 landscape" in css and ".register-sheet{page:register}" in css
    officer = app.test_client()
    login_as("officer", client_=officer)
    assert officer.get("/so-lieu/so-theo-doi/in" + PERIOD).status_code == 403


def test_the_leader_sees_the_period_beside_the_one_before_and_last_year(known, client, login_as):
    login_as("leader")
    html = client.get("/so-lieu?ky=tuy-chon&tu=2026-05-01&den=2026-05-31").get_data(as_text=True)
    table = html[html.index('class="figures-table comparison-table"'):]
    table = table[:table.index("</table>")]
    assert "31/03/2026 – 30/04/2026" in table and "01/05/2025 – 31/05/2025" in table
    received = re.search(r"Hồ sơ tiếp nhận</th>(.*?)</tr>", table, re.S).group(1)
    cells = [re.sub(r"<[^>]+>|\s+", " ", c).strip() for c in re.findall(r"<td>(.*?)</td>", received, re.S)]
    # May: 4 received (overdue, within, refused, withdrawn); April: 3; May 2025: none.
    assert cells[0] == "4" and cells[1].startswith("3") and "▲ +1" in cells[1]
    assert cells[2].startswith("0") and "▲ +4" in cells[2]
    late = re.search(r"Trễ hạn \(đã giải quyết\)</th>(.*?)</tr>", table, re.S).group(1)
    # The late dossier was returned on 6 May: one more late than in April, shown as worse.
    assert "change-bad" in late and "▲ +1" in late and "change-good" not in late
