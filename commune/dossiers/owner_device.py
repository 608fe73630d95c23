"""The browsers that opened a dossier in full before: their typed key is never paused by strangers.

A code's daily budget of failed look-ups (COMMUNE_LOOKUP_CODE_LIMIT) is what keeps a known code's
key out of reach of guessers with many addresses; spent, it pauses the typed key and the phone for
everyone. So that strangers who saw a code cannot keep its owner out, a browser that once proved
the dossier is theirs (it submitted it, came by the receipt's QR link or typed the right key) keeps
a long-lived cookie that marks it, and its look-ups of that code skip the code's budget (the
address's own limit still applies, and the key is still checked).

The cookie holds, signed, a short keyed digest of each code (never the code itself): it opens
nothing by itself, a stranger cannot make one without the key, and "Thoát" deletes it.
"""
import hashlib
import hmac

from flask import after_this_request, current_app, has_request_context, request
from itsdangerous import BadSignature, URLSafeSerializer

COOKIE = "owner"
MAX_CODES = 20
MAX_AGE = 400 * 24 * 3600  # a year and a month: as long as a browser keeps a cookie


def _secret():
    secret = current_app.config["SECRET_KEY"]
    return secret.encode() if isinstance(secret, str) else secret


def _digest(code):
    return hmac.new(_secret(), b"commune/owner-device/v1:" + (code or "").encode(), hashlib.sha256).hexdigest()[:20]


def _serializer():
    return URLSafeSerializer(_secret(), salt="commune/owner-device")


def _held():
    value = request.cookies.get(COOKIE)
    if not value:
        return []
    try:
        held = _serializer().loads(value)
    except BadSignature:
        return []
    return [d for d in held if isinstance(d, str)][:MAX_CODES] if isinstance(held, list) else []


def knows(code):
    """Whether this browser opened the dossier `code` in full before."""
    return bool(code) and _digest(code) in _held()


def remember(code):
    """Mark this browser as one that opened `code` in full (the cookie is set on this request's answer)."""
    if not has_request_context() or not code:
        return
    digest = _digest(code)
    held = _held()
    if held[:1] == [digest]:
        return
    value = _serializer().dumps([digest] + [d for d in held if d != digest][:MAX_CODES - 1])

    @after_this_request
    def _set(response):
        response.set_cookie(COOKIE, value, max_age=MAX_AGE, path="/", httponly=True, samesite="Lax",
                            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))
        return response


def forget(response):
    """"Thoát": this browser is no longer marked for any dossier."""
    response.delete_cookie(COOKIE, path="/")
    return response
