"""Sending the outbox: e-mail over SMTP, SMS through an HTTP gateway, retries with backoff.

`send_due()` claims each due notice with an atomic UPDATE (commune.core.leased_queue: the
background thread and a cron run never send the same notice twice at once), sends it, and
records the outcome. Runs only on committed rows: what a rollback removed was never there
to send.
"""
import base64
import json
import logging
import smtplib
import ssl
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid

import sqlalchemy as sa

from ..core.leased_queue import SENT, claim, due_ids, mark_sent, retry_or_fail
from ..core.timeutil import utcnow
from ..extensions import db
from .outbox import EMAIL, SMS, Notice, channel_config

log = logging.getLogger("commune.notices")

# Minutes to wait after the 1st, 2nd, ... failed attempt; after the last one the notice is failed.
BACKOFF_MINUTES = (1, 5, 15, 60, 240)
MAX_ATTEMPTS = len(BACKOFF_MINUTES) + 1
LEASE = timedelta(minutes=10)  # a claimed notice is retried if its sender died mid-send
TIMEOUT = 20  # seconds, for SMTP and the SMS gateway


class SendError(Exception):
    """The channel refused or could not be reached; the message says why."""


def send_due(now=None, batch=100):
    """Send every pending notice that is due; return a Counter of outcomes (sent, retry, failed)."""
    now = now or utcnow()
    outcomes = Counter()
    for notice_id in due_ids(Notice, now, batch):
        if not claim(Notice, notice_id, now, LEASE):
            continue
        notice = db.session.get(Notice, notice_id)
        try:
            deliver(notice)
        except Exception as error:  # noqa: BLE001 - any failure is recorded and retried
            outcomes[_record_failure(notice, error, now)] += 1
        else:
            mark_sent(notice)
            outcomes[SENT] += 1
        db.session.commit()
    return outcomes


def _record_failure(notice, error, now):
    notice.last_error = f"{type(error).__name__}: {error}"[:1000]
    return retry_or_fail(notice, error, now, BACKOFF_MINUTES, log, "notice")


def deliver(notice):
    """Send one notice on its channel; raise on any failure."""
    if notice.channel == EMAIL:
        send_email(notice.to, notice.subject, notice.body)
    elif notice.channel == SMS:
        send_sms(notice.to, notice.body)
    else:
        raise SendError(f"unknown channel {notice.channel}")


def send_email(to, subject, body):
    """One plain-text e-mail through the configured SMTP server."""
    config = channel_config()
    host = config.get("SMTP_HOST")
    if not host:
        raise SendError("SMTP_HOST is not configured")
    message = EmailMessage()
    message["From"] = config.get("SMTP_FROM") or "mot-cua@localhost"
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="mot-cua-xa")
    message.set_content(body)
    port = int(config.get("SMTP_PORT") or 25)
    security = (config.get("SMTP_SECURITY") or "starttls").lower()
    try:
        if security == "ssl":
            smtp = smtplib.SMTP_SSL(host, port, timeout=TIMEOUT, context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(host, port, timeout=TIMEOUT)
        with smtp:
            smtp.ehlo()
            if security == "starttls" and smtp.has_extn("starttls"):
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if config.get("SMTP_USER"):
                smtp.login(config["SMTP_USER"], config.get("SMTP_PASSWORD") or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise SendError(f"SMTP {host}:{port}: {error}") from error


def sms_request(phone, text, config=None):
    """The gateway request (url, body bytes, headers) built from SMS_URL, SMS_AUTH and SMS_BODY.

    SMS_BODY is a template with {phone}, {phone_intl} (84…) and {text}: values are
    JSON-escaped when the template is JSON, URL-encoded otherwise (form body).
    SMS_AUTH is sent as the Authorization header ("Bearer …"), or as Basic auth
    when it looks like "user:password".
    """
    config = config or channel_config()
    url = config.get("SMS_URL")
    if not url:
        raise SendError("SMS_URL is not configured")
    template = config.get("SMS_BODY") or '{"to": "{phone}", "text": "{text}"}'
    is_json = template.lstrip().startswith(("{", "["))
    values = {"{phone}": phone, "{phone_intl}": "84" + phone[1:] if phone.startswith("0") else phone,
              "{text}": text}
    body = template
    for placeholder, value in values.items():
        escaped = json.dumps(value)[1:-1] if is_json else urllib.parse.quote_plus(value)
        body = body.replace(placeholder, escaped)
    headers = {"Content-Type": "application/json" if is_json else "application/x-www-form-urlencoded",
               "User-Agent": "mot-cua-xa"}
    auth = config.get("SMS_AUTH") or ""
    if auth:
        if ":" in auth and " " not in auth:
            auth = "Basic " + base64.b64encode(auth.encode()).decode()
        headers["Authorization"] = auth
    return url, body.encode("utf-8"), headers


def send_sms(phone, text):
    """POST one SMS to the gateway; any non-2xx answer is a failure."""
    url, body, headers = sms_request(phone, text)
    req = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as response:  # noqa: S310 - admin-set URL
            if not 200 <= response.status < 300:
                raise SendError(f"gateway answered {response.status}")
    except urllib.error.HTTPError as error:
        detail = error.read(200).decode("utf-8", "replace")
        raise SendError(f"gateway answered {error.code}: {detail}") from error
    except (OSError, urllib.error.URLError) as error:
        raise SendError(f"gateway unreachable: {error}") from error


def outbox_counts():
    """{status: count} over the whole outbox (for the CLI)."""
    rows = db.session.execute(sa.select(Notice.status, sa.func.count()).group_by(Notice.status)).all()
    return {status: count for status, count in rows}
