"""The figures page gets postal numbers from one SQL-aggregating function."""
from datetime import date, datetime, timedelta

from commune.extensions import db
from commune.postal import services
from commune.postal.queries import postal_figures
from tests.factories import make_user

# Local 09:00 on 2 Nov 2026 is 02:00 UTC.
DAY = datetime(2026, 11, 2, 2, 0)


def test_postal_figures_on_a_small_fixture(app, handed):
    carrier = make_user("postal")
    _, (a, b, c, d) = handed(carrier, count=4)
    for item in (a, b, c):
        item.dossier.ready_at = DAY
        item.handed_at = DAY + timedelta(hours=2)
    d.handed_at = DAY - timedelta(days=30)  # handed over before the period
    services.mark_delivered(a, carrier, "tok-a" * 4, fee_collected=True, fee_amount=20000)
    services.mark_delivered(b, carrier, "tok-b" * 4, received_by="Vợ", fee_collected=False)
    services.mark_failed(c, carrier, "tok-c1" * 4, "nobody_home")
    services.mark_failed(c, carrier, "tok-c2" * 4, "refused")
    services.mark_failed(c, carrier, "tok-c3" * 4, "nobody_home")  # the third: back to the office
    a.delivered_at = DAY + timedelta(days=2)
    b.delivered_at = DAY + timedelta(days=1)
    for action in c.actions:
        action.at = DAY + timedelta(days=1)
    db.session.commit()

    figures = postal_figures(date(2026, 11, 1), date(2026, 11, 30))
    assert figures["handed_over"] == 3
    assert figures["delivered"] == 2
    assert figures["failed_attempts"] == 3
    assert figures["failed_by_reason"] == {"nobody_home": 2, "wrong_address": 0, "refused": 1, "moved": 0,
                                           "other": 0}
    assert figures["returned_to_office"] == 1
    assert figures["avg_days_ready_to_delivered"] == 1.5
    assert figures["fees_collected_vnd"] == 20000

    # A period with nothing in it.
    empty = postal_figures(date(2025, 1, 1), date(2025, 1, 31))
    assert empty["delivered"] == 0 and empty["avg_days_ready_to_delivered"] is None
    assert empty["fees_collected_vnd"] == 0 and empty["failed_attempts"] == 0


def test_period_edges_follow_local_days(app, handed):
    carrier = make_user("postal")
    _, (a,) = handed(carrier, count=1)
    a.dossier.ready_at = DAY
    services.mark_delivered(a, carrier, "tok-edge" * 3)
    a.delivered_at = datetime(2026, 11, 30, 17, 30)  # 00:30 on 1 Dec in Viet Nam
    db.session.commit()
    assert postal_figures(date(2026, 11, 1), date(2026, 11, 30))["delivered"] == 0
    assert postal_figures(date(2026, 12, 1), date(2026, 12, 1))["delivered"] == 1
