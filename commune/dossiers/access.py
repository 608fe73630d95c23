"""How a villager without an account proves a dossier is theirs, and how much that opens.

Two levels, both decided here only:
- STATUS: the tracking code + the phone number. A carrier, a neighbour or anyone who saw
  the manifest, the envelope or an SMS may know both, so this shows the status, the public
  timeline and "what to do now" — no documents, no personal data, no key, no action.
- FULL: the receipt's lookup key (the QR link ?k=… or the key typed in the look-up), the
  browser that just submitted the dossier, or the draft token while the dossier is still a
  draft (the `draft` cookie / the continue link; the database keeps only its SHA-256).

Grants live in the signed session, end after COMMUNE_VILLAGER_IDLE_MINUTES without use and
on "Thoát". The database keeps only a keyed hash of the lookup key (codes.py), so the receipt
can show the key again only to a browser that holds it: the one that submitted, or the one that
typed it or came by an old receipt's QR link; it is kept beside the grant, sealed (Fernet, under
a secret derived from SECRET_KEY: the session cookie is signed, not secret), and goes with it.
A logged-in staff member never holds villager rights: staff see dossiers through their role,
and nothing they do is recorded as the villager's.
"""
import base64
import hashlib
import hmac
import secrets
import time

from cryptography.fernet import Fernet, InvalidToken
from flask import abort, current_app, request, session
from flask_login import current_user

from ..extensions import db
from . import owner_device
from .models import CHANNEL_ONLINE, Dossier
from .states import Status

DRAFT_COOKIE = "draft"
SESSION_KEY = "villager"
LEGACY_KEY = "tracked"  # sessions from before the two levels: worth nothing now
MAX_TRACKED = 20
MAX_KEYS_HELD = 5  # sealed keys are ~100 bytes each in the session cookie
FULL = "full"
STATUS = "status"


def new_token():
    """A fresh, unguessable draft token (for the cookie and the continue link)."""
    return secrets.token_urlsafe(24)


def hash_token(token):
    return hashlib.sha256((token or "").encode()).hexdigest()


def draft_token():
    """The draft token the browser sent, or None."""
    return request.cookies.get(DRAFT_COOKIE)


def owns_by_token(dossier, token=None):
    """Whether `token` (default: the cookie) is this dossier's draft token and it is still a draft.

    A draft token stops opening anything at submission: the cookie and the continue link may
    sit for weeks in a shared phone's history."""

    token = token if token is not None else draft_token()
    if not token or not dossier.draft_token_hash or dossier.status != Status.DRAFT:
        return False
    if dossier.channel != CHANNEL_ONLINE:  # a clerk's counter batch (inbox/counter_batch.py)
        return False
    return hmac.compare_digest(dossier.draft_token_hash, hash_token(token))


def _is_staff():
    return bool(getattr(current_user, "is_authenticated", False))


def _idle_seconds():
    return int(current_app.config.get("COMMUNE_VILLAGER_IDLE_MINUTES", 30)) * 60


def _grants():
    """This browser's live grants {"full": [ids], "status": [ids], "at": last use}, or None."""
    session.pop(LEGACY_KEY, None)
    grants = session.get(SESSION_KEY)
    if not isinstance(grants, dict):
        return None
    if time.time() - float(grants.get("at") or 0) > _idle_seconds():
        session.pop(SESSION_KEY, None)
        return None
    return grants


def grant(dossier, level, key=None):
    """Let this browser see `dossier` at `level` (FULL or STATUS) for the session; FULL is never lowered.

    A full grant keeps the clear key this browser proved it holds (`key`, or the one the dossier was
    just given), so the receipt can show it again while the grant lives."""
    grants = _grants() or {FULL: [], STATUS: []}
    full = [i for i in grants.get(FULL, []) if i != dossier.id]
    status = [i for i in grants.get(STATUS, []) if i != dossier.id]
    if level == FULL or dossier.id in grants.get(FULL, []):
        full = [dossier.id] + full
    else:
        status = [dossier.id] + status
    full, status = full[:MAX_TRACKED], status[:MAX_TRACKED]
    keys = {i: k for i, k in (grants.get("keys") or {}).items() if i.isdigit() and int(i) in full}
    key = key or dossier.lookup_key
    if level == FULL and key:
        keys.pop(str(dossier.id), None)
        keys = {str(dossier.id): _sealer().encrypt(key.encode()).decode(), **keys}
    keys = dict(list(keys.items())[:MAX_KEYS_HELD])
    session[SESSION_KEY] = {FULL: full, STATUS: status, "keys": keys, "at": time.time()}
    if level == FULL:
        owner_device.remember(dossier.code)  # strangers' failures on this code never pause this browser


def _sealer():
    """Seals the keys a session holds: a copied cookie shows nothing once its grant has lapsed."""
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    return Fernet(base64.urlsafe_b64encode(hmac.new(secret, b"commune/held-keys/v1", hashlib.sha256).digest()))


def held_key(dossier):
    """The clear lookup key this browser holds for `dossier` (see grant), or None."""
    if level(dossier) != FULL:
        return None
    sealed = ((_grants() or {}).get("keys") or {}).get(str(dossier.id))
    if sealed:
        try:
            return _sealer().decrypt(sealed.encode()).decode()
        except (InvalidToken, ValueError):
            return None
    return dossier.lookup_key


def level(dossier):
    """FULL, STATUS or None: what this browser's villager may do with `dossier` (never for staff)."""
    if dossier is None or _is_staff():
        return None
    if owns_by_token(dossier):
        return FULL
    grants = _grants()
    if grants is None:
        return None
    found = FULL if dossier.id in grants.get(FULL, []) else (STATUS if dossier.id in grants.get(STATUS, [])
                                                             else None)
    if found is not None:
        grants["at"] = time.time()
        session[SESSION_KEY] = grants
    return found


def villager_may_view(dossier):
    """Full access: documents, personal data, the key and every action (see the module docstring)."""
    return level(dossier) == FULL


def holds_access():
    """Whether this browser holds any villager credential (then pages show "Thoát")."""
    if _is_staff():
        return False
    grants = _grants()
    return bool(draft_token()) or bool(grants and (grants.get(FULL) or grants.get(STATUS)))


def forget(response):
    """"Thoát": drop every grant of this browser and its draft cookie (for a shared phone)."""
    session.pop(SESSION_KEY, None)
    session.pop(LEGACY_KEY, None)
    response.delete_cookie(DRAFT_COOKIE, path="/")
    return owner_device.forget(response)


def staff_dossier(dossier_id):
    """The dossier `dossier_id` for the logged-in staff member who may see it: 404 for drafts and
    unknown ids (a draft is the villager's alone), 403 for staff whose role does not reach it."""
    dossier = db.session.get(Dossier, dossier_id)
    if dossier is None or dossier.status == Status.DRAFT:
        abort(404)
    if not dossier.can_view(current_user):
        abort(403)
    return dossier


DESK_KEYS = "desk_keys"
DESK_KEY_SECONDS = 15 * 60


def hand_over_key(dossier):
    """Right after the desk enters a walk-in dossier: keep its new clear key (only the object that was
    just given one has it), sealed, in the clerk's session for a few minutes, so the printed receipt can show it.
    After that, a reprint carries the QR link only (codes.link_token): the database has no clear key."""
    if not dossier.lookup_key:
        return
    now = time.time()
    kept = {i: v for i, v in (session.get(DESK_KEYS) or {}).items()
            if isinstance(v, list) and now - float(v[1]) < DESK_KEY_SECONDS}
    kept[str(dossier.id)] = [_sealer().encrypt(dossier.lookup_key.encode()).decode(), now]
    session[DESK_KEYS] = dict(list(kept.items())[-MAX_TRACKED:])


def handed_key(dossier):
    """The key `hand_over_key` kept for `dossier`, while it is fresh; else None."""
    kept = (session.get(DESK_KEYS) or {}).get(str(dossier.id))
    if not isinstance(kept, list) or time.time() - float(kept[1]) >= DESK_KEY_SECONDS:
        return dossier.lookup_key
    try:
        return _sealer().decrypt(kept[0].encode(), ttl=DESK_KEY_SECONDS).decode()
    except (InvalidToken, ValueError):
        return None
