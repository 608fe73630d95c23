"""Notices are queued with the event, in the same transaction, and sent only after the commit."""
from datetime import date, timedelta

import sqlalchemy as sa

from commune.core.timeutil import utcnow
from commune.dossiers.models import SupplementRequest
from commune.dossiers.workflow import record_event, transition
from commune.extensions import db
from commune.notices.outbox import Notice
from commune.notices.send import MAX_ATTEMPTS, send_due
from tests.factories import make_user, new_dossier


def _notices():
    return db.session.scalars(sa.select(Notice).order_by(Notice.id)).all()


def test_a_villager_visible_event_queues_an_sms_and_an_email_in_its_transaction(app):
    dossier = new_dossier(applicant_email="an@example.vn")
    clerk = make_user("clerk")
    transition(dossier, "received", clerk)
    db.session.flush()
    queued = _notices()
    assert {(n.channel, n.to) for n in queued} == {("sms", "0912345678"), ("email", "an@example.vn")}
    assert all(n.status == "pending" and n.event_id == dossier.events[-1].id for n in queued)


def test_the_text_says_what_was_committed_even_if_the_due_date_was_set_after_the_transition(app):
    dossier = new_dossier(applicant_email="an@example.vn")
    transition(dossier, "received", make_user("clerk"))
    dossier.due_date = date(2026, 12, 4)  # the clerk's service sets it after transition()
    db.session.commit()
    assert all("04/12/2026" in n.body for n in _notices())


def test_a_rollback_leaves_no_notice_and_sends_nothing(app, smtp_server, sms_gateway):
    dossier = new_dossier(applicant_email="an@example.vn")
    db.session.commit()
    transition(dossier, "refused", make_user("clerk"), note="Sai thủ tục")
    db.session.flush()
    assert len(_notices()) == 2
    db.session.rollback()
    assert _notices() == []
    assert send_due() == {}
    assert smtp_server.messages == [] and sms_gateway.requests == []


def test_private_notes_and_the_villagers_own_steps_queue_nothing(app):
    clerk = make_user("clerk")
    dossier = new_dossier(status="needs_supplement", status_before_supplement="submitted")
    record_event(dossier, "note", clerk, note="gọi lại", public=False)
    transition(dossier, "submitted")  # the villager's own supplement answer
    transition(dossier, "withdrawn")  # the villager's own withdrawal
    db.session.commit()
    assert _notices() == []


def test_every_villager_visible_step_gets_a_notice(app):
    clerk = make_user("clerk")
    postman = make_user("postal")
    dossier = new_dossier(status="draft")
    transition(dossier, "submitted")
    transition(dossier, "received", clerk)
    transition(dossier, "needs_supplement", clerk, note="Thiếu ảnh")
    db.session.add(SupplementRequest(dossier=dossier, round=1, items=[{"label": "Giấy chứng sinh"}]))
    transition(dossier, "received")
    record_event(dossier, "apology", clerk, public=True, data={"new_due": "2026-12-09"})
    record_event(dossier, "message", clerk, public=True, note="Mời mang bản chính")
    transition(dossier, "ready", clerk)
    transition(dossier, "delivering", postman)
    for kind in ("delivery_handed", "delivery_out", "delivery_failed", "delivery_delivered"):
        record_event(dossier, kind, postman, public=True, note="Không có nhà" if kind.endswith("failed") else "")
    transition(dossier, "returned", postman)
    db.session.commit()
    sms = [n.body for n in _notices() if n.channel == "sms"]
    expected = ["Da nhan ho so", "Ho so da duoc tiep nhan", "Giay chung sinh", "Hen tra moi ngay 09/12/2026",
                "Moi mang ban chinh", "Da co ket qua", "giao cho buu dien", "dang mang ket qua",
                "khong thanh cong", "Ket qua da duoc giao"]
    assert len(sms) == len(expected)
    for text, fragment in zip(sms, expected, strict=True):
        assert fragment in text


def test_committed_notices_are_sent_and_the_outcome_recorded(app, smtp_server, sms_gateway):
    dossier = new_dossier(status="received", applicant_email="an@example.vn")
    transition(dossier, "ready", make_user("clerk"))
    db.session.commit()
    outcomes = send_due()
    assert outcomes["sent"] == 2
    assert all(n.status == "sent" and n.sent_at and n.attempts == 1 for n in _notices())
    assert len(smtp_server.messages) == 1 and len(sms_gateway.requests) == 1
    assert send_due() == {}  # nothing is sent twice


def test_smtp_failure_is_retried_with_backoff_until_the_server_is_back(app, smtp_server):
    dossier = new_dossier(applicant_email="an@example.vn", applicant_phone="")
    transition(dossier, "received", make_user("clerk"))
    db.session.commit()
    smtp_server.stop()
    assert send_due()["retry"] == 1
    notice = _notices()[0]
    assert notice.status == "pending" and notice.attempts == 1
    assert "SMTP" in notice.last_error
    assert notice.next_attempt_at > utcnow()
    assert send_due() == {}  # not before its time
    smtp_server.start()
    assert send_due(now=notice.next_attempt_at + timedelta(seconds=1))["sent"] == 1
    assert notice.status == "sent" and notice.attempts == 2
    assert len(smtp_server.messages) == 1


def test_a_notice_that_keeps_failing_is_marked_failed(app, sms_gateway):
    sms_gateway.status = 503
    dossier = new_dossier(status="received")
    transition(dossier, "ready", make_user("clerk"))
    db.session.commit()
    now = utcnow()
    for _ in range(MAX_ATTEMPTS):
        send_due(now=now)
        now += timedelta(days=1)
    notice = _notices()[0]
    assert notice.status == "failed" and notice.attempts == MAX_ATTEMPTS
    assert "503" in notice.last_error
    assert send_due(now=now + timedelta(days=1)) == {}


def test_no_notices_are_queued_when_no_channel_is_configured(app):
    app.config.update(SMTP_HOST=None, SMS_URL=None)
    dossier = new_dossier(status="received", applicant_email="an@example.vn")
    transition(dossier, "ready", make_user("clerk"))
    db.session.commit()
    assert _notices() == []


def test_no_sms_to_a_landline(app):
    dossier = new_dossier(status="received", applicant_phone="02103812345")
    transition(dossier, "ready", make_user("clerk"))
    db.session.commit()
    assert _notices() == []
