"""The sync secret at rest: sealed with Fernet (cryptography) together with the endpoints it was typed for.

The key is derived with HKDF-SHA256 from the app's SECRET_KEY and a purpose label, so the
database (or a backup of it) alone never reveals the secret, and no other use of SECRET_KEY
shares this key. The endpoints sealed with the secret are the only ones it is ever sent to:
a login or service address changed anywhere (the admin's page, the environment, the database
by hand) leaves the secret unused until it is typed again for the new address.

A sealed value is "fernet1:" + a Fernet token of {"secret", "auth_url", "url"} as JSON.
"""
import base64
import json
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "fernet1:"
PURPOSE = b"commune.sync.secret/v1"


class Unreadable(Exception):
    """The stored value cannot be opened with this SECRET_KEY (changed key, damaged or clear value)."""


@dataclass(frozen=True)
class Sealed:
    secret: str
    endpoints: tuple  # (auth_url, url), as typed (stripped)


def endpoints(auth_url, url):
    """The pair a secret is bound to: the login / token address and the service address."""
    return ((auth_url or "").strip(), (url or "").strip())


def _fernet(secret_key):
    if not secret_key:
        raise Unreadable("no SECRET_KEY")
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PURPOSE).derive(str(secret_key).encode())
    return Fernet(base64.urlsafe_b64encode(key))


def is_sealed(stored):
    return str(stored or "").startswith(PREFIX)


def seal(secret, bound_to, secret_key):
    """The secret and its endpoints as stored: "fernet1:<token>"."""
    auth_url, url = endpoints(*bound_to)
    data = json.dumps({"secret": secret, "auth_url": auth_url, "url": url}, ensure_ascii=False)
    return PREFIX + _fernet(secret_key).encrypt(data.encode("utf-8")).decode("ascii")


def open_sealed(stored, secret_key):
    """The Sealed secret, or Unreadable (the message never holds the secret)."""
    if not is_sealed(stored):
        raise Unreadable("not a sealed value")
    try:
        data = json.loads(_fernet(secret_key).decrypt(stored[len(PREFIX):].encode("ascii")))
        return Sealed(str(data["secret"]), endpoints(data.get("auth_url"), data.get("url")))
    except (InvalidToken, ValueError, KeyError, TypeError) as error:
        raise Unreadable("cannot be opened with this SECRET_KEY") from error
