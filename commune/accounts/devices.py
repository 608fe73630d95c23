"""Device cookies (OWASP): a browser where a name has signed in before has its own back-off for that name.

The back-off counts failures per (name, client address). In a commune the clerk's desk and the
waiting room's Wi-Fi often leave through one address, so a villager guessing at the clerk's name
would slow the clerk too. After a successful login the browser keeps a signed cookie naming the
accounts that signed in on it; later attempts for those names from that browser count under the
browser's own key instead of the address, for the back-off and for the per-address limit alike
(views._login_limit_key), so a stranger's failures on the shared address never refuse it. The
cookie opens nothing: it only chooses the bucket, and a stranger can earn one only by knowing
the password of that very name. A browser without it (a new computer) shares the address's wait,
refused before any password check: the back-off still slows guessing.
"""
import secrets

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer

COOKIE = "staff_device"
MAX_NAMES = 8  # a shared desk computer: the last few accounts that signed in on it
MAX_AGE = 365 * 24 * 3600


def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="login-device")


def _read():
    try:
        value = _serializer().loads(request.cookies.get(COOKIE, ""))
    except BadSignature:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("id"), str) or not isinstance(value.get("names"), list):
        return None
    return value


def throttle_client(digest):
    """The back-off key for this attempt: this browser's when the name signed in here before, else the address."""
    device = _read()
    if device is not None and digest in device["names"]:
        return "device:" + device["id"][:32]
    return request.remote_addr or "-"


def remember(response, digest):
    """After a successful login: this browser may keep its own back-off for the name."""
    device = _read() or {"id": secrets.token_urlsafe(16), "names": []}
    names = [digest] + [n for n in device["names"] if n != digest]
    response.set_cookie(COOKIE, _serializer().dumps({"id": device["id"], "names": names[:MAX_NAMES]}),
                        max_age=MAX_AGE, httponly=True, samesite="Lax", path="/dang-nhap",
                        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))
    return response
