"""Tracking codes and lookup keys: random, unguessable, without look-alike characters."""
import secrets

# No 0/O, 1/I/L, 5/S, 2/Z, 8/B: easy to read aloud and to type.
ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
CODE_LENGTH = 10  # 25**10 ≈ 2**46 codes
KEY_LENGTH = 6


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
