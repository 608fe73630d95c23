"""The fee a dossier owes, computed once from its procedure's fee rule and the villager's answers.

The rule (kept in the dossier's snapshot): the fee per unit (`fee_vnd`, e.g. 2,000 đ a page), the unit
(`fee_unit`), the number questions that count the units (`fee_count`: their answers multiply, e.g.
"copies, pages": 3 copies of a 2-page paper are 6 pages), and the bounds of the amount (`fee_min_vnd`,
`fee_max_vnd`). A question left blank (or answered 0) counts one unit: something was asked for.

The amount is written on the dossier (`Dossier.fee_vnd`) when it is submitted; the clerk may correct it
before receiving (payments.services.correct_fee). The receipt, the VietQR, the post's
collect-on-delivery amount and the figures all read `fee_due()`.
"""
import re

_SEPARATORS = re.compile(r"[\s,;×*]+")
MAX_UNITS = 10_000  # a typing slip (copies = 30000) never makes a fee of millions


def count_questions(text):
    """The question names of a fee rule's count ("copies, pages" -> ["copies", "pages"])."""
    return [name for name in _SEPARATORS.split(text or "") if name]


def units(snapshot, answers):
    """How many units the answers ask for: the product of the counting questions' answers (≥ 1)."""
    total = 1
    for name in count_questions((snapshot or {}).get("fee_count")):
        value = (answers or {}).get(name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            value = 1
        total *= value
    return min(total, MAX_UNITS)


def compute_fee(snapshot, answers):
    """The amount owed for these answers: None (set by the province, not known), 0 (free) or đồng."""
    snapshot = snapshot or {}
    per_unit = snapshot.get("fee_vnd")
    if per_unit is None:
        return None
    amount = per_unit * units(snapshot, answers)
    if amount == 0:
        return 0
    low, high = snapshot.get("fee_min_vnd"), snapshot.get("fee_max_vnd")
    if low is not None:
        amount = max(amount, low)
    if high is not None:
        amount = min(amount, high)
    return amount


def fee_due(dossier):
    """The amount this dossier owes (as submitted, or as the clerk corrected it); None if not known."""
    return dossier.fee_vnd


def fee_breakdown(dossier):
    """(per unit, units, unit name) behind the amount, for the receipt's line "3 bản sao × 2.000 đ"."""
    snapshot = dossier.procedure_snapshot or {}
    return snapshot.get("fee_vnd"), units(snapshot, dossier.form_data), snapshot.get("fee_unit") or ""
