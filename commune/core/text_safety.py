"""Typed text as it is stored: NFC, without bidi controls or invisible characters.

A name typed with a right-to-left override (U+202E) or zero-width characters looks
to the clerk like another name ("Nguyễn Văn A" can show as "A nǎV nễyugN", or two
names that look the same differ by an invisible character). Every text field of
every form passes through `clean_line` (one line) or `clean_text` (a text area)
before validation (commune/core/forms.py), so nothing of the kind is ever stored.

What is removed: every format character (Unicode category Cf: the bidi embeddings,
overrides and isolates U+202A–202E and U+2066–2069, the marks U+200E/200F/061C,
zero-width space/joiners U+200B–200D, U+2060–2064, U+FEFF, soft hyphen, tags…),
control characters (category Cc; a text area keeps its line breaks and tabs), lone
surrogates, private-use and unassigned code points, and the few letters that draw
nothing (Hangul fillers, the braille blank). Unicode spaces become a plain space; on
one line, line and paragraph separators do too. Vietnamese needs none of these:
its letters are precomposed in NFC, and the combining marks of text typed in NFD
(macOS, some Android keyboards) are kept and then composed by NFC.
"""
import unicodedata

# Letters and symbols that show as blank space and are used to fake an empty or a different name.
INVISIBLE_LETTERS = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800", "\u17b4", "\u17b5"}
_DROPPED_CATEGORIES = {"Cf", "Cs", "Co", "Cn"}
_LINE_BREAKS = {"\n", "\r", "\t"}


def _clean(text, keep_breaks):
    out = []
    for ch in text:
        category = unicodedata.category(ch)
        if category in _DROPPED_CATEGORIES or ch in INVISIBLE_LETTERS:
            continue
        if category == "Cc":
            if keep_breaks and ch in _LINE_BREAKS:
                out.append(ch)
            elif ch in _LINE_BREAKS:
                out.append(" ")
            continue
        if category in ("Zl", "Zp"):
            out.append("\n" if keep_breaks else " ")
        elif category == "Zs":
            out.append(" ")
        else:
            out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def clean_line(value):
    """One line of typed text (a name, a village, an address): NFC, nothing invisible, no line break."""
    if not isinstance(value, str):
        return value
    if value.isascii() and value.isprintable():
        return value  # the common case, unchanged
    return _clean(value, keep_breaks=False)


def clean_text(value):
    """Free text (a note, a reason, a comment): as clean_line, but line breaks and tabs are kept."""
    if not isinstance(value, str):
        return value
    return _clean(value, keep_breaks=True)
