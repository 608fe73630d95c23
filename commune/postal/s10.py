"""UPU S10 item identifiers (the carrier's item number, e.g. EB123456785VN).

Format: two service letters, eight serial digits, one check digit, two letters
for the country of origin. The check digit weights the serial by 8,6,4,2,3,5,9,7;
check = 11 - (sum % 11), with 10 -> 0 and 11 -> 5.
"""
import re

WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
PATTERN = re.compile(r"^[A-Z]{2}\d{9}[A-Z]{2}$")


def normalize(value):
    """Upper case, without spaces or dashes (people copy numbers in many shapes)."""
    return re.sub(r"[\s\-.]", "", value or "").upper()


def check_digit(serial):
    """The S10 check digit of an 8-digit serial number."""
    if len(serial) != 8 or not serial.isdigit():
        raise ValueError("serial must be 8 digits")
    check = 11 - sum(int(d) * w for d, w in zip(serial, WEIGHTS, strict=True)) % 11
    return {10: 0, 11: 5}.get(check, check)


def is_valid(value):
    """Whether `value` (normalized) is a well-formed S10 identifier with the right check digit."""
    value = normalize(value)
    if not PATTERN.match(value):
        return False
    return check_digit(value[2:10]) == int(value[10])
