"""One daily cut-off: the due dates and what the procedure pages tell villagers use the same hour."""
from datetime import date, datetime, timedelta

from commune.catalog.queries import procedure_by_slug
from commune.config import build_config
from commune.core.calendar import configured_cutoff
from commune.core.settings import set_setting
from commune.dossiers.rules import due_from
from commune.extensions import db
from tests.conftest import make_app
from tests.factories import make_dossier, make_procedure

# Tuesday 12 May 2026, 15:30 in Viet Nam (UTC+7): after 15:00, before 16:00.
AT_1530 = datetime(2026, 5, 12, 15, 30) - timedelta(hours=7)


def page(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_default_cut_off_is_15_00(app, monkeypatch):
    monkeypatch.delenv("COMMUNE_CUTOFF", raising=False)
    assert build_config(str(app.instance_path))["COMMUNE_CUTOFF"] == "15:00"
    assert configured_cutoff() == "15:00"


def test_the_admin_setting_wins_over_the_environment_and_nonsense_is_ignored(tmp_path):
    app = make_app(tmp_path, COMMUNE_CUTOFF="14:00")
    with app.app_context():
        assert configured_cutoff() == "14:00"
        set_setting("cutoff", "16:30")
        assert configured_cutoff() == "16:30"
        set_setting("cutoff", "25:99")
        assert configured_cutoff() == "14:00"
        db.session.remove()
        db.engine.dispose()


def test_changing_the_cut_off_moves_the_due_date_and_the_sentence_on_the_procedure_page(client, login_as, catalog):
    birth = procedure_by_slug("dang-ky-khai-sinh")  # same day; its note says "tiếp nhận hồ sơ sau 15 giờ"
    three_days = make_procedure(processing_days=3)
    late_birth, late_other = make_dossier(birth), make_dossier(three_days)
    db.session.commit()
    assert due_from(late_birth, AT_1530) == date(2026, 5, 13)  # after 15:00: the next working day
    assert due_from(late_other, AT_1530) == date(2026, 5, 18)  # counted from Wed 13: Thu, Fri, Mon
    birth_page = page(client, "/thu-tuc/dang-ky-khai-sinh")
    assert "tiếp nhận hồ sơ sau 15 giờ thì trả" in birth_page
    other_page = page(client, f"/thu-tuc/{three_days.slug}")
    assert "Hồ sơ nhận sau 15 giờ thì thời hạn được tính từ ngày làm việc tiếp theo." in other_page

    login_as("admin")
    assert client.post("/quan-tri/lich/gio-chot", data={"cutoff": "16:30"}).status_code == 302

    assert due_from(late_birth, AT_1530) == date(2026, 5, 12)  # before 16:30: the same day
    assert due_from(late_other, AT_1530) == date(2026, 5, 15)
    birth_page = page(client, "/thu-tuc/dang-ky-khai-sinh")
    assert "tiếp nhận hồ sơ sau 16 giờ 30 thì trả" in birth_page and "15 giờ" not in birth_page
    other_page = page(client, f"/thu-tuc/{three_days.slug}")
    assert "Hồ sơ nhận sau 16 giờ 30 thì thời hạn được tính từ ngày làm việc tiếp theo." in other_page
    guide = page(client, "/thu-tuc/dang-ky-khai-sinh/huong-dan-in")
    assert "Hồ sơ nhận sau 16 giờ 30 thì trả kết quả trong ngày làm việc tiếp theo." in guide

