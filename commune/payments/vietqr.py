"""The VietQR payload: the NAPAS/EMVCo merchant-presented QR that every Vietnamese banking app scans.

Each data object is ID (2 digits) + length (2 digits) + value; the payload ends with the CRC
(ID 63, CRC-16/CCITT-FALSE over everything before its value, "6304" included). The NAPAS
transfer to an account (service QRIBFTTA) sits under ID 38 with the NAPAS GUID A000000727:
  00 01                     payload format
  01 12                     dynamic (one payment, its exact amount)
  38 ┬ 00 A000000727        NAPAS
     ├ 01 ┬ 00 BIN           the receiving bank (6 digits)
     │    └ 01 account       the receiving account
     └ 02 QRIBFTTA           transfer to an account
  53 704                    đồng          54 amount   58 VN
  62 └ 08 content           the transfer content: the dossier code, which the statement shows
  63 CRC
"""
import re
from dataclasses import dataclass

from ..core.qr import make_qr

NAPAS_GUID = "A000000727"
SERVICE_TO_ACCOUNT = "QRIBFTTA"
CURRENCY_VND = "704"
COUNTRY = "VN"
DYNAMIC = "12"
CONTENT_PREFIX = "HS"  # "HS K7QMX2PDAF": hồ sơ + code, as short as banks keep it (25 characters at most)
MAX_CONTENT = 25


class VietQRError(ValueError):
    """The account or amount cannot make a VietQR."""


def tlv(tag, value):
    """One data object: ID, length, value."""
    if len(value) > 99:
        raise VietQRError(f"data object {tag} is too long")
    return f"{tag}{len(value):02d}{value}"


def crc16_ccitt_false(text):
    """CRC-16/CCITT-FALSE (polynomial 0x1021, start 0xFFFF, no reflection, no final XOR) as 4 hex digits."""
    crc = 0xFFFF
    for byte in text.encode("utf-8"):
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return f"{crc:04X}"


def transfer_content(code):
    """The transfer content for a dossier: 'HS K7QMX2PDAF' (plain ASCII, so no bank alters it)."""
    return f"{CONTENT_PREFIX} {code}"[:MAX_CONTENT]


def payload(bin_code, account, amount, content):
    """The VietQR text for a transfer of `amount` đồng to `account` at bank `bin_code`, with `content`."""
    if not re.fullmatch(r"\d{6}", bin_code or ""):
        raise VietQRError("the bank BIN must be 6 digits")
    if not re.fullmatch(r"[0-9A-Za-z]{1,19}", account or ""):
        raise VietQRError("the account number must be 1 to 19 letters or digits")
    if not isinstance(amount, int) or isinstance(amount, bool) or not 0 < amount < 10**13:
        raise VietQRError("the amount must be a whole number of đồng above 0")
    if not re.fullmatch(r"[ -~]{1,25}", content or ""):
        raise VietQRError("the content must be 1 to 25 plain ASCII characters")
    beneficiary = tlv("00", bin_code) + tlv("01", account)
    merchant = tlv("00", NAPAS_GUID) + tlv("01", beneficiary) + tlv("02", SERVICE_TO_ACCOUNT)
    body = (tlv("00", "01") + tlv("01", DYNAMIC) + tlv("38", merchant) + tlv("53", CURRENCY_VND)
            + tlv("54", str(amount)) + tlv("58", COUNTRY) + tlv("62", tlv("08", content)) + "6304")
    return body + crc16_ccitt_false(body)


@dataclass(frozen=True)
class TransferQR:
    """What the villager needs to pay: the QR and the same facts as text to type."""

    payload: str
    bank_name: str
    bin_code: str
    account: str
    account_name: str
    amount: int
    content: str

    def data_uri(self, scale=4):
        """The QR as an SVG data: URI for an <img> (the strict CSP allows `img-src data:`)."""
        return make_qr(self.payload).svg_data_uri(scale=scale, border=4)


def transfer_qr(account, amount, code):
    """The TransferQR paying `amount` to the commune's `account` (payments.banks.Account) for dossier `code`."""
    content = transfer_content(code)
    return TransferQR(payload=payload(account.bin_code, account.number, amount, content),
                      bank_name=account.bank_name, bin_code=account.bin_code, account=account.number,
                      account_name=account.name, amount=amount, content=content)
