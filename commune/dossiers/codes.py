"""Tracking codes and lookup keys: random, unguessable, without look-alike characters.

The lookup key is stored only as a keyed hash (HMAC-SHA256 under a secret derived from the
app's SECRET_KEY, which lives in the instance folder, not in the database or its backups), bound
to the dossier's code: a stolen database or backup holds nothing a look-up accepts, and 2^28 keys
cannot be tried offline without the secret. The receipt's QR link carries a longer token derived
from that hash (`link_token`), so it can be printed again at any time without the clear key.
See docs/security.md "Lookup keys".
"""
import base64
import hashlib
import hmac
import secrets

from flask import current_app

# No 0/O, 1/I/L, 5/S, 2/Z, 8/B: easy to read aloud and to type.
ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
CODE_LENGTH = 10  # 25**10 ≈ 2**46 codes
KEY_LENGTH = 6  # 25**6 = 244,140,625 ≈ 2**27.9 keys
LINK_TOKEN_LENGTH = 20  # base32 characters: 100 bits, the QR link's credential
_KEY_PURPOSE = b"commune/lookup-key/v1"
_LINK_PURPOSE = b"commune/lookup-link/v1:"


def new_tracking_code():
    """A tracking code like K7QMX2PDAF (show it as K7QM-X2PD-AF with display_code)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def new_lookup_key():
    """A short key printed on the receipt, usable instead of the phone number."""
    return "".join(secrets.choice(ALPHABET) for _ in range(KEY_LENGTH))


def normalise_code(text):
    """What the villager typed (spaces, dashes, lower case) as a stored code."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


def display(code):
    """K7QMX2PDAF -> K7QM-X2PD-AF."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4)) if code else ""


def _secret(secret_key=None):
    """The lookup keys' own secret, derived from SECRET_KEY (never the SECRET_KEY itself)."""
    key = secret_key if secret_key is not None else current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    return hmac.new(key, _KEY_PURPOSE, hashlib.sha256).digest()


def hash_lookup_key(code, key, secret_key=None):
    """The stored form of `key` for the dossier `code`: hex HMAC-SHA256 (64 characters)."""
    message = f"{normalise_code(code)}:{normalise_code(key)}".encode()
    return hmac.new(_secret(secret_key), message, hashlib.sha256).hexdigest()


def link_token(key_hash, secret_key=None):
    """The QR link's token (?k=…) for a stored key hash: 100 bits, unguessable without the secret."""
    digest = hmac.new(_secret(secret_key), _LINK_PURPOSE + (key_hash or "").encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:LINK_TOKEN_LENGTH]


def is_link_token(text):
    """Whether a ?k= value has the shape of a link token (a short key from an older receipt has not)."""
    return len(normalise_code(text)) == LINK_TOKEN_LENGTH
