"""GSM-7, the alphabet of a 160-character SMS (3GPP TS 23.038), and fitting a text into it.

Vietnamese letters with diacritics are not in it: one such letter turns the whole message into
UCS-2, 70 characters a part, and a notice into two or three paid parts that basic phones often
show cut. So, as Vietnamese senders usually do, notices go without diacritics (`to_gsm7`) unless
the commune turns COMMUNE_SMS_UNICODE on.
"""
import unicodedata

# The basic table (one septet each) and the extension table (an escape + one septet: two).
BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
EXTENSION = frozenset("^{}\\[]~|€")
ELLIPSIS = "..."

# Characters villagers and clerks type that GSM-7 lacks or costs double: their plain stand-ins.
_STAND_INS = str.maketrans({
    "đ": "d", "Đ": "D", "–": "-", "—": "-", "…": "...", "“": '"', "”": '"', "‘": "'", "’": "'",
    "`": "'", "[": "(", "]": ")", "{": "(", "}": ")", "~": "-", "^": " ", "\\": "/", "|": "/", "€": "EUR",
})


def strip_diacritics(text):
    """'Đã tiếp nhận hồ sơ' -> 'Da tiep nhan ho so': plain ASCII letters, typographic marks made plain."""
    decomposed = unicodedata.normalize("NFD", (text or "").translate(_STAND_INS))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return plain.encode("ascii", "ignore").decode("ascii")


def to_gsm7(text):
    """`text` in GSM-7's basic table only (one septet a character), on one line."""
    plain = strip_diacritics(text)
    return " ".join("".join(ch if ch in BASIC else " " for ch in plain).split())


def septets(text):
    """How many septets `text` takes in GSM-7 (None if a character is not in GSM-7 at all)."""
    total = 0
    for ch in text:
        if ch in BASIC:
            total += 1
        elif ch in EXTENSION:
            total += 2
        else:
            return None
    return total


def shorten_at_words(text, room):
    """`text` if it fits in `room` characters, else its first whole words and '...'; never half a word."""
    text = " ".join((text or "").split())
    if len(text) <= room:
        return text
    words, kept = text.split(" "), ""
    for word in words:
        candidate = f"{kept} {word}" if kept else word
        if len(candidate.rstrip(" ,.;:")) + len(ELLIPSIS) > room:
            break
        kept = candidate
    kept = kept.rstrip(" ,.;:")
    return kept + ELLIPSIS if kept else ""
