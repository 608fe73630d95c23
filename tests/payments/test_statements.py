"""Bank statements: read whole (CSV or XLSX), matched by the code in the content, confirmed by the clerk;
a bad file is refused whole with the row at fault, nothing half-imported, nothing confirmed twice."""
import io

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from commune.extensions import db
from commune.payments.models import Payment, StatementImport
from commune.payments.statements import StatementError, parse_amount, read_statement


def csv_statement(lines):
    head = "Sao kê tài khoản 8888000012345\n\nNgày giao dịch,Số tham chiếu,Số tiền ghi nợ,Số tiền ghi có,Nội dung\n"
    return (head + "\n".join(lines) + "\n").encode("utf-8-sig")


def xlsx_statement(rows):
    book = Workbook()
    sheet = book.active
    sheet.append(["NGÂN HÀNG NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN VIỆT NAM"])
    sheet.append(["SAO KÊ TÀI KHOẢN / ACCOUNT STATEMENT"])
    sheet.append([])
    sheet.append(["STT", "Ngày giao dịch", "Mã giao dịch", "Ghi nợ", "Ghi có", "Diễn giải"])
    for row in rows:
        sheet.append(row)
    sheet.append([None, None, None, None, 999999, "Tổng cộng"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, data, name="sao-ke.csv"):
    return client.post("/thanh-toan/sao-ke", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def counts():
    return (db.session.scalar(sa.select(sa.func.count()).select_from(StatementImport)),
            db.session.scalar(sa.select(sa.func.count()).select_from(Payment)))


@pytest.fixture
def three(owing):
    """A dossier whose transfer matches, one whose amount is short, one already paid by hand."""
    return owing(fee=6000), owing(fee=8000), owing(fee=10000)


def test_a_csv_statement_is_matched_and_confirmed(client, login_as, three):
    good, short, _other = three
    login_as("clerk")
    data = csv_statement([
        f"01/12/2026,FT26335001,,6.000,MBVCB.123 HS {good.code} chuyen tien",
        f"01/12/2026,FT26335002,,5000,HS-{short.display_code}",
        "01/12/2026,FT26335003,,150.000,Tien nha thang 11",
        "01/12/2026,FT26335004,20.000,,Phi dich vu",
    ])
    response = upload(client, data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    page = client.get(response.location).get_data(as_text=True)
    assert "Khớp" in page and "Số tiền khác lệ phí" in page and "Không tìm thấy hồ sơ" in page
    assert "Tien nha thang 11" in page and "Không khớp hồ sơ nào: 1 khoản." in page
    assert "Phi dich vu" not in page  # a debit is not an incoming payment
    assert 'value="3" id="row-3" checked' not in page and 'value="4" id="row-4" checked' in page
    statement_id = response.location.rsplit("/", 1)[-1]
    done = client.post(f"/thanh-toan/sao-ke/{statement_id}/xac-nhan", data={"rows": ["4", "5"]})
    assert done.status_code == 302, done.get_data(as_text=True)[:3000]
    payments = {p.dossier_id: p for p in db.session.scalars(sa.select(Payment))}
    assert payments[good.id].amount_vnd == 6000 and not payments[good.id].mismatch
    assert payments[good.id].reference == "FT26335001" and payments[good.id].channel == "transfer"
    assert payments[short.id].amount_vnd == 5000 and payments[short.id].mismatch  # flagged, not hidden
    inbox = client.get(f"/hop-thu/ho-so/{short.id}").get_data(as_text=True)
    assert "Số tiền nhận được (5.000 đ) khác lệ phí (8.000 đ)." in inbox


def test_an_xlsx_statement_with_title_rows_and_totals(client, login_as, three):
    good, _short, _other = three
    login_as("admin")
    response = upload(client, xlsx_statement([
        [1, "01/12/2026 09:15:00", "AGR-778812", None, 6000, f"CK HS {good.code} NGUYEN VAN AN"],
        [2, "01/12/2026", "AGR-778813", 30000, None, "RUT TIEN"],
    ]), name="saoke.xlsx")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    statement = db.session.scalar(sa.select(StatementImport))
    assert [(r["row"], r["amount"], r["reference"]) for r in statement.rows] == [(5, 6000, "AGR-778812")]
    assert client.post(f"/thanh-toan/sao-ke/{statement.id}/xac-nhan", data={"rows": ["5"]}).status_code == 302
    assert db.session.scalar(sa.select(Payment.amount_vnd).filter_by(dossier_id=good.id)) == 6000


def test_a_row_that_cannot_be_read_refuses_the_whole_file(client, login_as, three):
    good, short, _other = three
    login_as("clerk")
    response = upload(client, csv_statement([
        f"01/12/2026,FT1,,6.000,HS {good.code}",
        f"01/12/2026,FT2,,sáu nghìn,HS {short.code}",
    ]))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Dòng 5" in html and "sáu nghìn" in html and "Không có khoản nào được ghi." in html
    assert counts() == (0, 0)


@pytest.mark.parametrize("data, name, message", [
    (b"Date;Memo\n01/12/2026;HS ABC\n", "la.csv", "Không nhận ra định dạng sao kê"),
    (b"PK\x03\x04 not really a workbook", "hong.xlsx", "Không đọc được tệp Excel"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old excel", "cu.xls", "Tệp Excel cũ (.xls)"),
    ("Ngày giao dịch,Số tiền ghi có,Nội dung\n".encode("utf-16"), "utf16.csv", "Không đọc được tệp"),
    (b"", "rong.csv", "Tệp rỗng."),
])
def test_an_unknown_or_unreadable_file_is_refused_whole(client, login_as, data, name, message):
    login_as("clerk")
    response = upload(client, data, name)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert counts() == (0, 0)


def test_a_statement_is_not_confirmed_twice(client, login_as, three):
    good, _short, _other = three
    login_as("clerk")
    data = csv_statement([f"01/12/2026,FT9,,6.000,HS {good.code}"])
    statement_url = upload(client, data).location
    confirm_url = statement_url + "/xac-nhan"
    assert client.post(confirm_url, data={"rows": ["4"]}).status_code == 302
    again = client.post(confirm_url, data={"rows": ["4"]})
    assert again.status_code == 409 and "Sao kê này đã được xác nhận lúc" in again.get_data(as_text=True)
    # The same file uploaded again: the row shows as already confirmed and cannot be picked.
    page = client.get(upload(client, data).location).get_data(as_text=True)
    assert "Đã xác nhận trước đó" in page and 'name="rows"' not in page
    assert counts() == (2, 1)


def test_one_row_that_cannot_be_confirmed_refuses_the_whole_confirmation(client, login_as, three):
    good, short, _other = three
    login_as("clerk")
    statement_url = upload(client, csv_statement([f"01/12/2026,FT1,,8.000,HS {short.code}",
                                                  f"01/12/2026,FT2,,6.000,HS {good.code}",
                                                  f"02/12/2026,FT3,,6.000,HS {good.code} lan 2"])).location
    response = client.post(statement_url + "/xac-nhan", data={"rows": ["4", "5", "6"]})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Dòng 6: Hồ sơ này đã được xác nhận thanh toán lúc" in html and "Không xác nhận lần hai." in html
    assert counts() == (1, 0)  # nothing confirmed, not even rows 4 and 5


@pytest.mark.parametrize("text, amount", [
    ("6.000", 6000), ("6,000", 6000), ("6000", 6000), ("1.250.000", 1250000), ("1,250,000.00", 1250000),
    ("6.000,00", 6000), ("+6,000 VND", 6000), ("6.000 đ", 6000), (6000.0, 6000), ("-20.000", -20000),
])
def test_amounts_as_banks_write_them(text, amount):
    assert parse_amount(text) == amount


@pytest.mark.parametrize("text", ["6.5", "6.000,50", "abc", "60.00.0", True])
def test_amounts_that_are_not_whole_dong_are_refused(text):
    with pytest.raises(StatementError):
        parse_amount(text, 7)


def test_a_bad_date_names_its_row():
    data = csv_statement(["hôm qua,FT1,,6.000,HS ABCDEFGHJK"])
    with pytest.raises(StatementError) as caught:
        read_statement(data)
    assert caught.value.row == 4 and "hôm qua" in caught.value.message
