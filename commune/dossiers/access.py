"""How a villager without an account proves a dossier is theirs, and how much that opens.

Two levels, both decided here only:
- STATUS: the tracking code + the phone number. A carrier, a neighbour or anyone who saw
  the manifest, the envelope or an SMS may know both, so this shows the status, the public
  timeline and "what to do now" — no documents, no personal data, no key, no action.
- FULL: the receipt's lookup key (the QR link ?k=… or the key typed in the look-up), the
  browser that just submitted the dossier, or the draft token while the dossier is still a
  draft (the `draft` cookie / the continue link; the database keeps only its SHA-256).

Grants live in the signed session, end after COMMUNE_VILLAGER_IDLE_MINUTES without use and
on "Thoát". A logged-in staff member never holds villager rights: staff see dossiers through
their role, and nothing they do is recorded as the villager's.
"""
import hashlib
import hmac
import secrets
import time

from flask import abort, current_app, request, session
from flask_login import current_user

from ..extensions import db
from .models import CHANNEL_ONLINE, Dossier
from .states import Status

DRAFT_COOKIE = "draft"
SESSION_KEY = "villager"
LEGACY_KEY = "tracked"  # sessions from before the two levels: worth nothing now
MAX_TRACKED = 20
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
    if not token or not dossier.draft_token_hash or dossier.status != Status.DRAFT.value:
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


def grant(dossier, level):
    """Let this browser see `dossier` at `level` (FULL or STATUS) for the session; FULL is never lowered."""
    grants = _grants() or {FULL: [], STATUS: []}
    full = [i for i in grants.get(FULL, []) if i != dossier.id]
    status = [i for i in grants.get(STATUS, []) if i != dossier.id]
    if level == FULL or dossier.id in grants.get(FULL, []):
        full = [dossier.id] + full
    else:
        status = [dossier.id] + status
    session[SESSION_KEY] = {FULL: full[:MAX_TRACKED], STATUS: status[:MAX_TRACKED], "at": time.time()}


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


def villager_may_see_status(dossier):
    """At least status access: the status, the public timeline and what to do now."""
    return level(dossier) is not None


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
    return response


def staff_dossier(dossier_id):
    """The dossier `dossier_id` for the logged-in staff member who may see it: 404 for drafts and
    unknown ids (a draft is the villager's alone), 403 for staff whose role does not reach it."""
    dossier = db.session.get(Dossier, dossier_id)
    if dossier is None or dossier.status == Status.DRAFT.value:
        abort(404)
    if not dossier.can_view(current_user):
        abort(403)
    return dossier
