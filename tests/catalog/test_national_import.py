"""The national portal's procedure list (Excel), matched by national code: what is new, changed and missing is
shown first, nothing changes until the admin confirms, and a file with a column we do not know is refused whole."""
import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from commune.catalog.models import Procedure
from commune.extensions import db
from tests.factories import make_procedure
from tests.journeys import procedure_data

URL = "/quan-tri/thu-tuc/nhap-danh-muc-quoc-gia"
HEADER = ["STT", "Mã thủ tục", "Tên thủ tục", "Lĩnh vực", "Cấp thực hiện", "Mã địa phương"]


def xlsx(rows, header=HEADER, title="DANH SÁCH THỦ TỤC HÀNH CHÍNH"):
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, data, name="danh-sach.xlsx"):
    return client.post(URL, data={"file": (io.BytesIO(data), name)})


@pytest.fixture
def ours(app):
    """Three procedures of ours: one the list renames, one it leaves alone, one it does not have."""
    renamed = make_procedure(name="Đăng ký khai sinh (cũ)")
    same = make_procedure(name="Đăng ký kết hôn")
    gone = make_procedure(name="Thủ tục đã bãi bỏ")
    renamed.code, same.code, gone.code = "1.001193", "1.000894", "1.999999"
    same.local_code = "1.000894.000.00.00.H56"
    db.session.commit()
    return {"renamed": renamed, "same": same, "gone": gone}


def the_list():
    return xlsx([
        [1, "1.001193", "Đăng ký khai sinh", "Thử nghiệm", "Cấp Xã", "1.001193.000.00.00.H56"],
        [2, "1.000894", "Đăng ký kết hôn", "Thử nghiệm", "Cấp Xã", "1.000894.000.00.00.H56"],
        [3, "1.004227", "Đăng ký lại khai tử", "Hộ tịch", "Cấp Xã", "1.004227.000.00.00.H56"],
        [4, "2.000001", "Cấp giấy phép của tỉnh", "Xây dựng", "Cấp Tỉnh", ""],
    ])


def _review(client, response):
    assert response.status_code == 302 and "/xem-lai?token=" in response.location
    return client.get(response.location).get_data(as_text=True)


def test_the_list_shows_new_changed_and_missing_and_changes_nothing_yet(ours, client, login_as):
    login_as("admin")
    page = _review(client, upload(client, the_list()))
    assert "1 thủ tục mới, 1 thủ tục thay đổi, 1 không đổi, 1 thủ tục của xã không có trong danh sách" in page
    new = page.split('id="import-new"', 1)[1].split("</table>", 1)[0]
    assert "1.004227" in new and "Đăng ký lại khai tử" in new and "Cấp Xã" in new
    changed = page.split('id="import-changed"', 1)[1].split("</table>", 1)[0]
    assert "<td>Tên thủ tục</td><td>Đăng ký khai sinh (cũ)</td><td>Đăng ký khai sinh</td>" in changed
    assert "<td>Mã địa phương</td><td>—</td><td>1.001193.000.00.00.H56</td>" in changed
    assert "1.000894" not in changed  # the same in both
    assert "2.000001" not in new and "1 thủ tục mới không thực hiện ở cấp xã" in page  # another level
    assert "1.999999" in page.split('id="import-missing"', 1)[1]
    assert "Áp dụng các thay đổi này" in page
    db.session.expire_all()
    assert db.session.get(Procedure, ours["renamed"].id).name == "Đăng ký khai sinh (cũ)"
    assert db.session.scalar(sa.select(Procedure).filter_by(code="1.004227")) is None


def test_confirming_applies_the_list(ours, client, login_as):
    login_as("admin")
    page = _review(client, upload(client, the_list()))
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page).group(1)
    done = client.post(URL + "/ap-dung", data={"token": token}, follow_redirects=True)
    assert "1 thủ tục mới (đang ngừng áp dụng, cần bổ sung thông tin), 1 thủ tục cập nhật" in done.get_data(
        as_text=True)
    db.session.expire_all()
    renamed = db.session.get(Procedure, ours["renamed"].id)
    assert renamed.name == "Đăng ký khai sinh" and renamed.local_code == "1.001193.000.00.00.H56"
    assert renamed.version == 2
    added = db.session.scalar(sa.select(Procedure).filter_by(code="1.004227"))
    assert added.name == "Đăng ký lại khai tử" and added.field.name == "Hộ tịch" and not added.active
    assert db.session.get(Procedure, ours["gone"].id).active  # missing from the list: kept as it is
    assert db.session.get(Procedure, ours["same"].id).version == 1
    assert db.session.scalar(sa.select(Procedure).filter_by(code="2.000001")) is None
    # The kept list is used up: confirming twice applies nothing more.
    again = client.post(URL + "/ap-dung", data={"token": token}, follow_redirects=True)
    assert "không còn" in again.get_data(as_text=True)
    assert db.session.get(Procedure, ours["renamed"].id).version == 2
    assert "procedure.national_import" in client.get("/quan-tri/nhat-ky").get_data(as_text=True)


def test_an_unknown_column_refuses_the_whole_file_naming_it(ours, client, login_as, app):
    login_as("admin")
    response = upload(client, xlsx([[1, "1.001193", "Đăng ký khai sinh", "Thử nghiệm", "Cấp Xã", "", "x"]],
                                   header=HEADER + ["Ghi chú nội bộ"]))
    assert response.status_code == 400
    assert "Tệp có cột không nhận ra: “Ghi chú nội bộ”" in response.get_data(as_text=True)
    assert not list((Path(app.config["COMMUNE_DATA_DIR"]) / "national-import").glob("*.json"))
    db.session.expire_all()
    assert db.session.get(Procedure, ours["renamed"].id).name == "Đăng ký khai sinh (cũ)"


@pytest.mark.parametrize(("data", "message"), [
    (b"", "Tệp rỗng."),
    (b"Ma thu tuc;Ten thu tuc\n1.001193;Khai sinh\n", "Tệp không phải bảng tính Excel (.xlsx)."),
    (b"PK\x03\x04 not really a zip", "Không đọc được tệp Excel (.xlsx)"),
    (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "Tệp Excel cũ (.xls)"),
    (b"PK\x03\x04" + b"\x00" * (5 * 1024 * 1024), "Tệp quá lớn (tối đa 5 MB)."),
])
def test_bad_files_get_a_clear_message(ours, client, login_as, data, message):
    login_as("admin")
    response = upload(client, data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_bad_rows_refuse_the_file(ours, client, login_as):
    login_as("admin")
    wrong_code = upload(client, xlsx([[1, "khai-sinh", "Đăng ký khai sinh", "", "", ""]]))
    assert wrong_code.status_code == 400 and "không đúng dạng mã quốc gia" in wrong_code.get_data(as_text=True)
    twice = upload(client, xlsx([[1, "1.001193", "A", "", "", ""], [2, "1.001193", "B", "", "", ""]]))
    assert "Mã thủ tục 1.001193 có hai lần (dòng 3 và 4)" in twice.get_data(as_text=True)
    empty = upload(client, xlsx([]))
    assert "Tệp không có thủ tục nào dưới dòng tiêu đề." in empty.get_data(as_text=True)
    no_header = upload(client, xlsx([["a", "b"]], header=["Tên", "Khác"]))
    assert "Không thấy dòng tiêu đề có cột “Mã thủ tục”" in no_header.get_data(as_text=True)


def test_a_token_is_only_its_admins_and_the_content_never_comes_from_the_form(ours, client, login_as, app):
    login_as("admin")
    location = upload(client, the_list()).location
    token = location.split("token=", 1)[1]
    other = app.test_client()
    login_as("admin", client_=other)
    refused = other.post(URL + "/ap-dung", data={"token": token}, follow_redirects=True)
    assert "không còn" in refused.get_data(as_text=True)
    forged = client.post(URL + "/ap-dung", data={"token": "../../etc/passwd" + "x" * 20}, follow_redirects=True)
    assert "không còn" in forged.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Procedure, ours["renamed"].id).version == 1


def test_the_local_code_is_edited_in_the_procedure_editor(ours, client, login_as):
    login_as("admin")
    procedure = ours["renamed"]
    page = client.get(f"/quan-tri/thu-tuc/{procedure.id}").get_data(as_text=True)
    assert "Mã thủ tục của tỉnh" in page
    client.post(f"/quan-tri/thu-tuc/{procedure.id}",
                data=procedure_data(procedure, local_code="1.001193.000.00.00.H56"))
    db.session.expire_all()
    saved = db.session.get(Procedure, procedure.id)
    assert saved.local_code == "1.001193.000.00.00.H56" and saved.version == 2
    assert 'value="1.001193.000.00.00.H56"' in client.get(f"/quan-tri/thu-tuc/{procedure.id}").get_data(
        as_text=True)
