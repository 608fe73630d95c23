"""Vietnamese phone numbers and citizen ID (CCCD) numbers: validate, normalise, WTForms validators.

Phones are stored as ten digits starting with 0 (`0912345678`), whatever the
villager typed (`0912 345 678`, `+84 912 345 678`, `84912345678`, `0912.345.678`).
"""
import re

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

from .timeutil import local_today

# Mobile prefixes in use since the 2018 renumbering (03x, 05x, 07x, 08x, 09x).
MOBILE_RE = re.compile(r"^0[35789][0-9]{8}$")  # ASCII digits: `\d` also takes "٣" or "３"
# Landlines: 02 + area code, 11 digits in all (0200 3 800 000).
LANDLINE_RE = re.compile(r"^02[0-9]{9}$")
_SEPARATORS = re.compile(r"[\s.\-()/]")

# Province codes that open a 12-digit CCCD (Circular 07/2016/TT-BCA, the 63 pre-2025 provinces;
# numbers already issued keep them after the 2025 merger).
PROVINCE_CODES = frozenset("""
001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034 035 036
037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068 070 072 074 075
077 079 080 082 083 084 086 087 089 091 092 093 094 095 096
""".split())
# 4th digit: century of birth and sex (0/1 = 1900s, 2/3 = 2000s, 4/5 = 2100s, … 8/9 = 1800s).
CENTURY = {0: 1900, 1: 1900, 2: 2000, 3: 2000, 4: 2100, 5: 2100, 6: 2200, 7: 2200, 8: 1800, 9: 1800}


def normalise_phone(text):
    """The stored form (0xxxxxxxxx) of what was typed, or None if it is not a Vietnamese number."""
    digits = _SEPARATORS.sub("", text or "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("0084"):
        digits = "0" + digits[4:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    elif len(digits) == 9 and digits[0] in "35789":
        digits = "0" + digits  # typed without the leading 0
    if MOBILE_RE.match(digits) or LANDLINE_RE.match(digits):
        return digits
    return None


def is_mobile(phone):
    """Whether a normalised number is a mobile number (can receive SMS)."""
    return bool(MOBILE_RE.match(phone or ""))


def format_phone(phone):
    """0912345678 -> 0912 345 678 (how people read it aloud)."""
    if phone and len(phone) == 10:
        return f"{phone[:4]} {phone[4:7]} {phone[7:]}"
    if phone and len(phone) == 11:
        return f"{phone[:4]} {phone[4:7]} {phone[7:]}"
    return phone or ""


def normalise_citizen_id(text):
    """The 12 digits of a CCCD as typed (spaces and dots ignored), or None if not a valid number."""
    digits = _SEPARATORS.sub("", text or "")
    if not re.fullmatch(r"[0-9]{12}", digits):
        return None
    if digits[:3] not in PROVINCE_CODES:
        return None
    year = CENTURY[int(digits[3])] + int(digits[4:6])
    if year > local_today().year:
        return None
    return digits


class PhoneNumber:
    """WTForms validator: a Vietnamese phone number; replaces field.data with the normalised form."""

    def __init__(self, message=None, mobile_only=False):
        self.message = message
        self.mobile_only = mobile_only

    def __call__(self, form, field):
        if not field.data:
            return
        phone = normalise_phone(field.data)
        if phone is None or (self.mobile_only and not is_mobile(phone)):
            raise ValidationError(self.message or _l(
                "Số điện thoại chưa đúng. Nhập 10 chữ số, ví dụ 0912 345 678."))
        field.data = phone


class CitizenId:
    """WTForms validator: a 12-digit citizen ID (CCCD); replaces field.data with the bare digits."""

    def __init__(self, message=None):
        self.message = message

    def __call__(self, form, field):
        if not field.data:
            return
        digits = _SEPARATORS.sub("", field.data)
        if not re.fullmatch(r"[0-9]{12}", digits):
            raise ValidationError(self.message or _l(
                "Số căn cước (CCCD) gồm đúng 12 chữ số, in ở mặt trước thẻ."))
        value = normalise_citizen_id(digits)
        if value is None:
            raise ValidationError(self.message or _l(
                "Số căn cước (CCCD) này không đúng. Vui lòng kiểm tra lại từng chữ số trên thẻ."))
        field.data = value
