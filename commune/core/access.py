"""How a villager without an account proves a dossier is theirs.

Two ways, both checked here only:
- the draft token: a secret in the `draft` cookie (and in the "continue later"
  link); the database keeps only its SHA-256;
- a successful lookup with tracking code + phone (or the lookup key), which
  remembers the dossier's id in the signed session.
"""
import hashlib
import hmac
import secrets

from flask import request, session

DRAFT_COOKIE = "draft"
TRACKED_KEY = "tracked"
MAX_TRACKED = 20


def new_token():
    """A fresh, unguessable draft token (for the cookie and the continue link)."""
    return secrets.token_urlsafe(24)


def hash_token(token):
    return hashlib.sha256((token or "").encode()).hexdigest()


def draft_token():
    """The draft token the browser sent, or None."""
    return request.cookies.get(DRAFT_COOKIE)


def owns_by_token(dossier, token=None):
    """Whether `token` (default: the cookie) is this dossier's draft token."""
    token = token if token is not None else draft_token()
    if not token or not dossier.draft_token_hash:
        return False
    return hmac.compare_digest(dossier.draft_token_hash, hash_token(token))


def remember_tracked(dossier):
    """After a successful code + phone lookup, let this browser see the dossier for the session."""
    tracked = [i for i in session.get(TRACKED_KEY, []) if i != dossier.id]
    session[TRACKED_KEY] = ([dossier.id] + tracked)[:MAX_TRACKED]


def villager_may_view(dossier):
    """The villager's browser may see this dossier (its draft token, or a lookup this session)."""
    return owns_by_token(dossier) or dossier.id in session.get(TRACKED_KEY, [])
