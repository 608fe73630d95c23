"""The official dossier code (Circular 01/2018/TT-VPCP, Article 19): <agency>-<YYMMDD>-<XXXX>, given at
receipt, counted per Vietnam day, printed on Form 01 and the register, found by the inbox search, and never a
key to the villager's look-up."""
import csv
import io
import re
import threading
import time
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from commune.accounts.models import User
from commune.core.settings import set_setting
from commune.core.timeutil import local_today
from commune.dossiers import official_code
from commune.dossiers.models import Dossier
from commune.extensions import db
from commune.inbox import services
from tests.admin.test_calendar_settings import _settings_form
from tests.conftest import PG_URL
from tests.factories import make_user
from tests.journeys import act

AGENCY = "000.21.33.H56"
SHAPE = re.compile(r"^000\.21\.33\.H56-\d{6}-\d{4}$")


def _agency(code=AGENCY):
    set_setting("agency_code", code)
    db.session.commit()


def test_the_code_has_the_circulars_shape_and_counts_per_vietnam_day(app, dossier_in):
    _agency()
    first, second, after_midnight, next_day = (dossier_in("submitted") for _ in range(4))
    # 23:59 in Viet Nam on 1 December is 16:59 UTC; 00:01 on 2 December is still 1 December in UTC.
    assert official_code.assign(first, datetime(2026, 12, 1, 16, 59)) == "000.21.33.H56-261201-0001"
    assert official_code.assign(second, datetime(2026, 12, 1, 1, 0)) == "000.21.33.H56-261201-0002"
    assert official_code.assign(after_midnight, datetime(2026, 12, 1, 17, 1)) == "000.21.33.H56-261202-0001"
    assert official_code.assign(next_day, datetime(2026, 12, 2, 3, 0)) == "000.21.33.H56-261202-0002"
    # Given once: asking again (a dossier received again after a supplement) keeps it.
    assert official_code.assign(first, datetime(2026, 12, 5, 3, 0)) == "000.21.33.H56-261201-0001"


def test_without_an_agency_code_the_placeholder_is_used_never_a_refusal(app, dossier_in, client, login_as):
    login_as("clerk")
    dossier = dossier_in("submitted")
    assert act(client, dossier, "receive").status_code == 302
    db.session.refresh(dossier)
    assert dossier.official_code == f"000.00.00.X00-{local_today():%y%m%d}-0001"


def test_receiving_at_the_desk_gives_the_code_shown_on_the_dossier_and_form_01(app, dossier_in, client, login_as):
    _agency()
    login_as("clerk")
    dossier = dossier_in("submitted")
    assert dossier.official_code is None
    act(client, dossier, "receive")
    db.session.refresh(dossier)
    code = dossier.official_code
    assert code == f"{AGENCY}-{local_today():%y%m%d}-0001"
    page = client.get(f"/hop-thu/ho-so/{dossier.id}").get_data(as_text=True)
    assert f'id="official-code">{code}</dd>' in page
    receipt = client.get(f"/hop-thu/ho-so/{dossier.id}/in/tiep-nhan").get_data(as_text=True)
    assert "Mã số hồ sơ (Thông tư 01/2018/TT-VPCP)" in receipt and code in receipt
    assert dossier.display_code in receipt  # the tracking code stays on the receipt


def test_the_register_carries_the_code(app, dossier_in, client, login_as):
    _agency()
    clerk = login_as("clerk")
    dossier = dossier_in("submitted")
    services.receive(dossier, clerk)
    db.session.commit()
    today = local_today()
    period = f"?ky=tuy-chon&tu={today - timedelta(days=1)}&den={today}"
    text = client.get("/so-lieu/xuat/so-theo-doi.csv" + period).get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    column = rows[0].index("Mã số hồ sơ (TT 01/2018)")
    assert [r[column] for r in rows[1:]] == [dossier.official_code]
    printed = client.get("/so-lieu/so-theo-doi/in" + period).get_data(as_text=True)
    assert f"<td>{dossier.official_code}</td>" in printed


def test_the_inbox_search_finds_a_dossier_by_its_code(app, dossier_in, client, login_as):
    _agency()
    clerk = login_as("clerk")
    wanted, other = dossier_in("submitted"), dossier_in("submitted", applicant_name="Lò Văn Bình")
    services.receive(wanted, clerk)
    services.receive(other, clerk)
    db.session.commit()
    day_and_number = wanted.official_code.split("-", 1)[1]  # 261201-0001
    for query in (wanted.official_code, day_and_number, wanted.official_code.lower()):
        html = client.get("/hop-thu", query_string={"tab": "all", "q": query}).get_data(as_text=True)
        assert f"/hop-thu/ho-so/{wanted.id}\"" in html, query
        assert f"/hop-thu/ho-so/{other.id}\"" not in html, query


def test_the_code_opens_nothing_at_the_look_up(app, dossier_in, client, login_as):
    _agency()
    dossier = dossier_in("submitted")
    services.receive(dossier, make_user("clerk"))
    db.session.commit()
    code = dossier.official_code
    as_code = client.post("/tra-cuu", data={"code": code, "secret": dossier.applicant_phone})
    as_key = client.post("/tra-cuu", data={"code": dossier.code, "secret": code})
    assert as_code.status_code == 404 and as_key.status_code == 404
    assert dossier.applicant_name not in as_code.get_data(as_text=True) + as_key.get_data(as_text=True)
    by_phone = client.post("/tra-cuu", data={"code": dossier.code, "secret": dossier.applicant_phone})
    assert by_phone.status_code == 302  # the tracking code and phone still open it
    assert code not in client.get(by_phone.location).get_data(as_text=True)  # not on the villager's pages


def test_two_clerks_receiving_at_once_get_consecutive_numbers(app, dossier_in):
    _agency()
    ids = [dossier_in("submitted").id for _ in range(2)]
    clerk_ids = [make_user("clerk").id for _ in range(2)]
    db.session.commit()
    start, errors = threading.Barrier(2), []

    def receive(dossier_id, clerk_id):
        try:
            with app.app_context():
                dossier = db.session.get(Dossier, dossier_id)
                clerk = db.session.get(User, clerk_id)
                start.wait(timeout=10)
                services.receive(dossier, clerk)
                time.sleep(0.3)  # hold the transaction open while the other clerk receives
                db.session.commit()
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=receive, args=pair) for pair in zip(ids, clerk_ids, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    db.session.expire_all()
    codes = sorted(db.session.scalars(sa.select(Dossier.official_code).where(Dossier.id.in_(ids))))
    day = f"{local_today():%y%m%d}"
    assert codes == [f"{AGENCY}-{day}-0001", f"{AGENCY}-{day}-0002"]


def test_the_admin_sets_the_agency_code_and_a_malformed_one_is_refused(app, client, login_as):
    login_as("admin")
    page = client.get("/quan-tri/cai-dat").get_data(as_text=True)
    assert "Mã đơn vị (mã định danh)" in page and "000.00.00.X00" in page
    bad = client.post("/quan-tri/cai-dat", data=_settings_form(agency_code="xa mau-01"))
    assert bad.status_code == 200 and "Chỉ dùng chữ in hoa không dấu, số và dấu chấm" in bad.get_data(as_text=True)
    assert official_code.agency_code() == official_code.PLACEHOLDER_AGENCY_CODE
    client.post("/quan-tri/cai-dat", data=_settings_form(agency_code="000.21.33.h56"))
    assert official_code.agency_code() == "000.21.33.H56"


@pytest.mark.skipif(bool(PG_URL), reason="drops columns of the shared PostgreSQL schema")
def test_the_migration_numbers_the_dossiers_already_received_by_their_day(app, runner, dossier_in, client,
                                                                          login_as):
    _agency()
    late_on_4th = dossier_in("received", received_at=datetime(2026, 5, 4, 16, 30))  # 23:30 on 4 May
    early_on_4th = dossier_in("received", received_at=datetime(2026, 5, 4, 1, 0))  # 08:00 on 4 May
    after_midnight = dossier_in("received", received_at=datetime(2026, 5, 4, 17, 30))  # 00:30 on 5 May
    waiting, extra = dossier_in("submitted"), dossier_in("submitted")
    extra_id = extra.id
    ids = late, early, midnight, still_waiting = [d.id for d in (late_on_4th, early_on_4th, after_midnight, waiting)]
    db.session.remove()
    with db.engine.begin() as connection:  # the schema as the revision before this one left it
        for statement in ("DROP INDEX ix_dossiers_official_code", "ALTER TABLE dossiers DROP COLUMN official_code",
                          "ALTER TABLE procedures DROP COLUMN local_code", "DROP TABLE official_code_counters"):
            connection.execute(sa.text(statement))
    assert runner.invoke(args=["db", "stamp", "e9f1a7c3d2b8"]).exit_code == 0
    result = runner.invoke(args=["db", "upgrade", "a7c2e5f91b34"])
    assert result.exit_code == 0, result.output
    codes = {i: db.session.get(Dossier, i).official_code for i in ids}
    assert codes == {early: f"{AGENCY}-260504-0001", late: f"{AGENCY}-260504-0002",
                     midnight: f"{AGENCY}-260505-0001", still_waiting: None}
    # The counters go on from there, and the inbox finds the numbered dossiers at once.
    extra = db.session.get(Dossier, extra_id)
    assert official_code.assign(extra, datetime(2026, 5, 4, 10, 0)) == f"{AGENCY}-260504-0003"
    db.session.commit()
    login_as("clerk")
    html = client.get("/hop-thu", query_string={"tab": "all", "q": "260505-0001"}).get_data(as_text=True)
    assert f"/hop-thu/ho-so/{midnight}\"" in html and f"/hop-thu/ho-so/{late}\"" not in html
