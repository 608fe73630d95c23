"""What villagers receive: short SMS without diacritics that always carry the code; full e-mails."""
import json
import time

import pytest
import sqlalchemy as sa
from flask import render_template_string

from commune.dossiers.workflow import record_event, transition
from commune.extensions import db
from commune.notices.outbox import Notice
from commune.notices.send import send_due, sms_request
from commune.notices.texts import strip_diacritics
from tests.conftest import make_app
from tests.factories import make_user, new_dossier
from tests.journeys import notice_config


def _sent_sms(sms_gateway):
    return [json.loads(r["body"]) for r in sms_gateway.requests]


def test_diacritics_are_removed_including_d_with_stroke():
    assert strip_diacritics("Đặng Thị Hồng Nhung, đường Lê Lợi") == "Dang Thi Hong Nhung, duong Le Loi"
    assert strip_diacritics("Hẹn trả kết quả – Thứ Sáu") == "Hen tra ket qua - Thu Sau"


def test_sms_is_short_plain_and_carries_the_tracking_code(app, sms_gateway):
    dossier = new_dossier(status="received")
    reason = "Hồ sơ không thuộc thẩm quyền giải quyết của Ủy ban nhân dân xã; đề nghị ông/bà liên hệ " \
             "Phòng Tư pháp huyện để được hướng dẫn nộp lại hồ sơ theo đúng quy định hiện hành."
    transition(dossier, "refused", make_user("clerk"), note=reason)
    db.session.commit()
    send_due()
    [sent] = _sent_sms(sms_gateway)
    assert sent["to"] == "0912345678"
    text = sent["text"]
    assert len(text) <= 160
    assert text.isascii()
    assert dossier.display_code in text
    # What happened first, the reason cut after a whole word, then the code and the short link.
    assert text.startswith("Ho so bi tu choi. Ly do: Ho so khong thuoc tham quyen")
    assert text.endswith(f"... HS {dossier.display_code}: motcua.xa-mau.gov.vn/t/{dossier.code}")


def test_short_sms_ends_with_the_commune_name(app, sms_gateway):
    dossier = new_dossier(status="received")
    transition(dossier, "ready", make_user("clerk"))
    db.session.commit()
    send_due()
    [sent] = _sent_sms(sms_gateway)
    assert sent["text"] == (f"Moi nhan ket qua tai bo phan Mot cua, mang theo CCCD. Da co ket qua. "
                            f"HS {dossier.display_code}: motcua.xa-mau.gov.vn/t/{dossier.code} - UBND xa Mau")


def test_sms_gateway_gets_the_configured_auth_and_body(app, sms_gateway):
    dossier = new_dossier(status="received")
    transition(dossier, "ready", make_user("clerk"))
    db.session.commit()
    send_due()
    request = sms_gateway.requests[0]
    assert request["path"] == "/sms/send"
    assert request["headers"]["Authorization"] == "Bearer test-token"
    assert request["headers"]["Content-Type"] == "application/json"


def test_sms_body_template_can_be_a_form_with_basic_auth(app):
    config = {"SMS_URL": "http://gw/send", "SMS_AUTH": "xa-mau:secret",
              "SMS_BODY": "u=xamau&dest={phone_intl}&msg={text}"}
    url, body, headers = sms_request("0912345678", 'Ho so "A" & B', config)
    assert body == b"u=xamau&dest=84912345678&msg=Ho+so+%22A%22+%26+B"
    assert headers["Authorization"].startswith("Basic ")
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    _url, body, _headers = sms_request("0912345678", 'say "hi"\n', {"SMS_URL": "http://gw"})
    assert json.loads(body) == {"to": "0912345678", "text": 'say "hi"\n'}


def test_sms_keeps_diacritics_when_configured(app, sms_gateway):
    app.config["COMMUNE_SMS_UNICODE"] = True
    dossier = new_dossier(status="received")
    transition(dossier, "ready", make_user("clerk"))
    db.session.commit()
    send_due()
    assert "Đã có kết quả" in _sent_sms(sms_gateway)[0]["text"]


def test_email_has_the_full_text_details_and_the_tracking_link(app, smtp_server):
    dossier = new_dossier(status="received", applicant_email="an@example.vn", applicant_phone="")
    clerk = make_user("clerk")
    record_event(dossier, "message", clerk, public=True,
                 note="Ông vui lòng mang bản chính giấy khai sinh khi đến nhận kết quả.")
    db.session.commit()
    send_due()
    [mail] = smtp_server.texts()
    assert mail["To"] == "an@example.vn" and mail["From"] == "mot-cua@xa-mau.gov.vn"
    assert dossier.display_code in mail["Subject"]
    body = mail.get_content()
    assert "Ông vui lòng mang bản chính giấy khai sinh khi đến nhận kết quả." in body
    assert f"https://motcua.xa-mau.gov.vn/ho-so/{dossier.code}" in body
    assert "Đăng ký thử nghiệm" in body and "0200 3 800 000" in body


def test_receipt_notice_sends_the_code_but_never_the_lookup_key(app, sms_gateway):
    """Whoever holds the phone (or reads the notices panel) must not hold the dossier in full."""
    dossier = new_dossier(status="draft")
    dossier.lookup_key = "QX7R3M"
    transition(dossier, "submitted")
    db.session.commit()
    send_due()
    text = _sent_sms(sms_gateway)[0]["text"]
    assert dossier.display_code in text
    assert "QX7R3M" not in text and "Ma tra cuu" not in text


def test_background_sender_sends_right_after_the_commit(tmp_path, monkeypatch, smtp_server, sms_gateway):
    monkeypatch.setenv("COMMUNE_INSTANCE_PATH", str(tmp_path / "instance"))
    app = make_app(tmp_path, COMMUNE_SEND_NOTICES=True, **notice_config(smtp_server, sms_gateway))
    sender = app.extensions["commune_notices"]
    try:
        with app.test_request_context("/"):
            dossier = new_dossier(status="received", applicant_email="an@example.vn")
            transition(dossier, "ready", make_user("clerk"))
            db.session.flush()
            time.sleep(0.2)
            assert sender.thread is None and smtp_server.messages == []  # nothing before the commit
            db.session.commit()
            deadline = time.monotonic() + 10
            while (len(smtp_server.messages) < 1 or len(sms_gateway.requests) < 1) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert len(smtp_server.messages) == 1 and len(sms_gateway.requests) == 1
    finally:
        sender.stop()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_cron_command_sends_what_is_due(app, runner, smtp_server):
    dossier = new_dossier(status="received", applicant_email="an@example.vn")
    transition(dossier, "ready", make_user("clerk"))
    db.session.commit()
    result = runner.invoke(args=["notices", "send"])
    assert result.exit_code == 0, result.output
    assert "2 sent" in result.output
    assert len(smtp_server.messages) == 1
    result = runner.invoke(args=["notices", "status"])
    assert "0 pending, 2 sent, 0 failed" in result.output


@pytest.mark.parametrize("status", ["sent", "failed"])
def test_staff_see_each_notice_and_its_outcome(app, status):
    dossier = new_dossier()
    db.session.add(Notice(dossier=dossier, channel="sms", to="0912345678", body="HS X: Da co ket qua",
                          status=status, attempts=3, last_error="" if status == "sent" else "gateway answered 503"))
    db.session.commit()
    with app.test_request_context():
        html = render_template_string('{% include "tracking/_notices.html" %}', dossier=dossier)
    assert "HS X: Da co ket qua" in html and "0912345678" in html
    assert ("Đã gửi" in html) if status == "sent" else ("gateway answered 503" in html)
    assert db.session.scalar(sa.select(sa.func.count(Notice.id))) == 1


def test_smtp_settings_saved_by_the_admin_are_used(app, smtp_server):
    from commune.core.settings import set_setting

    app.config.update(SMTP_HOST=None, SMS_URL=None)
    set_setting("smtp_host", "127.0.0.1")
    set_setting("smtp_port", str(smtp_server.port))
    set_setting("smtp_from", "ubnd@xa-mau.gov.vn")
    dossier = new_dossier(status="received", applicant_email="an@example.vn")
    transition(dossier, "ready", make_user("clerk"))
    db.session.commit()
    assert send_due()["sent"] == 1
    assert smtp_server.texts()[0]["From"] == "ubnd@xa-mau.gov.vn"
