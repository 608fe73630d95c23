"""NAPAS member banks (data/napas_banks.json) and the commune's receiving account (three settings)."""
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..core.kept import memo
from ..core.settings import get_settings, set_setting

BANKS_PATH = Path(__file__).parent / "data" / "napas_banks.json"
# The settings that hold the receiving account (admin settings page, `flask payments set-account`).
BANK_KEY, NUMBER_KEY, NAME_KEY = "payment_bank_bin", "payment_account_number", "payment_account_name"
ACCOUNT_NUMBER_RE = re.compile(r"^[0-9A-Za-z]{4,19}$")


@dataclass(frozen=True)
class Bank:
    bin_code: str
    short_name: str
    name: str


@dataclass(frozen=True)
class Account:
    """The commune's receiving account."""

    bin_code: str
    bank_name: str
    number: str
    name: str


@memo(maxsize=None)
def banks():
    """The shipped list of NAPAS member banks, in the file's order (the most common first)."""
    data = json.loads(BANKS_PATH.read_text(encoding="utf-8"))
    return tuple(Bank(b["bin"], b["short_name"], b["name"]) for b in data["banks"])


def bank_by_bin(bin_code):
    return next((b for b in banks() if b.bin_code == bin_code), None)


def find_bank(text):
    """A bank by its BIN or its short name (any case): 'Agribank', '970405'."""
    text = (text or "").strip()
    return bank_by_bin(text) or next((b for b in banks() if b.short_name.lower() == text.lower()), None)


def bank_choices():
    """(BIN, 'Agribank — Ngân hàng …') pairs for a select, after an empty choice."""
    return [("", "—")] + [(b.bin_code, f"{b.short_name} — {b.name}") for b in banks()]


def account_holder(text):
    """An account name as banks print it: upper case, no accents ('UBND XA HOA BINH')."""
    text = unicodedata.normalize("NFD", (text or "").replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.upper().split())


def receiving_account(settings=None):
    """The commune's account as the settings hold it, or None while it is not (fully) entered."""
    settings = settings if settings is not None else get_settings()
    bank = bank_by_bin(settings.get(BANK_KEY) or "")
    number = (settings.get(NUMBER_KEY) or "").strip()
    if bank is None or not ACCOUNT_NUMBER_RE.match(number):
        return None
    return Account(bank.bin_code, bank.short_name, number, (settings.get(NAME_KEY) or "").strip())


def save_account(bank, number, name):
    """Write the receiving account's three settings (flush, never commit)."""
    set_setting(BANK_KEY, bank.bin_code)
    set_setting(NUMBER_KEY, number)
    set_setting(NAME_KEY, account_holder(name))
