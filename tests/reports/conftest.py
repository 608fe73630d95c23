"""A known set of dossiers around the 30/4 – 1/5 holidays of 2026 (Thursday and Friday)."""
from datetime import date, datetime

import pytest

from commune.catalog.models import Field
from commune.dossiers.models import CHANNEL_COUNTER, CHANNEL_ONLINE, CHANNEL_POST
from commune.extensions import db
from tests.factories import make_dossier, make_procedure


def utc(y, m, d, hour=1, minute=0):
    """A naive-UTC datetime (01:00 UTC = 08:00 in Viet Nam)."""
    return datetime(y, m, d, hour, minute)


@pytest.fixture
def known(app):
    """Seven dossiers in April–May 2026 with known early/on-time/late/overdue outcomes."""
    civil = make_procedure(name="Đăng ký khai sinh (thử)", processing_days=2)
    land = make_procedure(name="Xác nhận đất đai (thử)", processing_days=2)
    other_field = Field(code="dat-dai", name="Đất đai")
    db.session.add(other_field)
    db.session.flush()
    land.field_id = other_field.id
    due = date(2026, 5, 5)  # received Wed 29/4: 30/4, 1/5 and the weekend are off
    dossiers = {
        "early": make_dossier(civil, "returned", CHANNEL_ONLINE, received_at=utc(2026, 4, 29),
                              due_date=due, finished_at=utc(2026, 5, 4, 2), code="EARLY00001"),
        "on_time": make_dossier(civil, "returned", CHANNEL_COUNTER, received_at=utc(2026, 4, 29),
                                due_date=due, finished_at=utc(2026, 5, 5, 9), code="ONTIME0001"),
        # 17:30 UTC on 5/5 is 00:30 on 6/5 in Viet Nam: late.
        "late": make_dossier(land, "returned", CHANNEL_POST, received_at=utc(2026, 4, 29),
                             due_date=due, finished_at=utc(2026, 5, 5, 17, 30), code="LATE000001"),
        "overdue": make_dossier(land, "processing", CHANNEL_ONLINE, received_at=utc(2026, 5, 11),
                                due_date=date(2026, 5, 13), code="OVERDUE001"),
        "within": make_dossier(civil, "processing", CHANNEL_ONLINE, received_at=utc(2026, 5, 19),
                               due_date=date(2026, 5, 25), code="WITHIN0001"),
        "refused": make_dossier(civil, "refused", CHANNEL_COUNTER, received_at=utc(2026, 5, 4),
                                due_date=date(2026, 5, 6), finished_at=utc(2026, 5, 4, 3), code="REFUSED001"),
        "withdrawn": make_dossier(land, "withdrawn", CHANNEL_ONLINE, received_at=utc(2026, 5, 7),
                                  due_date=date(2026, 5, 11), finished_at=utc(2026, 5, 8), code="WITHDRAW01"),
        "before": make_dossier(civil, "returned", CHANNEL_ONLINE, received_at=utc(2026, 3, 2),
                               submitted_at=utc(2026, 3, 2), due_date=date(2026, 3, 4),
                               finished_at=utc(2026, 3, 3), code="BEFORE0001"),
        "draft": make_dossier(civil, "draft", CHANNEL_ONLINE, submitted_at=None, code="DRAFT00001"),
    }
    for key in ("early", "on_time", "late", "overdue", "within", "refused", "withdrawn"):
        dossiers[key].submitted_at = dossiers[key].received_at
    db.session.commit()
    return {"civil": civil, "land": land, "dossiers": dossiers}

