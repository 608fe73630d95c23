"""Numbers read from a URL or a header: ASCII digits only, within a bound.

Python's `str.isdigit()` says yes to "²" and "①", which `int()` then refuses (a 500 where a
400 or 404 was meant), and `int()` itself reads "٣" or "３" as 3. Every number the site
reads from an address or a header goes through `ascii_int` instead: 1-N ASCII digits,
at most `maximum`, else None (the caller answers 400 or 404).
"""
import re

_DIGITS = re.compile(r"[0-9]+")


def ascii_int(text, maximum):
    """`text` as an int when it is ASCII digits only and at most `maximum`; None otherwise."""
    if not isinstance(text, str) or not text or len(text) > len(str(maximum)) or not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if value <= maximum else None
