"""What the desk does with fees: correct the computed amount before receiving, confirm a payment
(one by one, or the matches of an imported bank statement). Services flush; the request commits."""
import hashlib
from datetime import datetime

from flask_babel import gettext as _

from ..core.domain_error import DomainError
from ..core.i18n import format_vnd
from ..core.timeutil import format_datetime, utcnow
from ..dossiers.events import EventKind
from ..dossiers.fees import fee_due
from ..dossiers.states import Status
from ..dossiers.workflow import record_event
from ..extensions import db
from .models import CHANNEL_LABELS, TRANSFER, Payment, StatementImport
from .queries import NOT_OWED, dossiers_named, payment_of, reference_used
from .statements import read_statement

# Before receiving, the clerk checks the answers: the amount can still be set right.
FEE_CORRECTABLE = (Status.SUBMITTED,)

# How a statement row stands against the dossier its content names.
MATCH, MISMATCH, ALREADY_PAID, UNMATCHED = "match", "mismatch", "paid", "unmatched"


class PaymentError(DomainError):
    """A refusal the clerk reads beside the form (nothing is changed)."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


def correct_fee(dossier, user, amount, reason):
    """Set the fee the clerk found right (before receiving), with the reason in the dossier's record."""
    if dossier.status not in FEE_CORRECTABLE:
        raise PaymentError(_("Chỉ điều chỉnh lệ phí trước khi tiếp nhận hồ sơ."))
    if payment_of(dossier) is not None:
        raise PaymentError(_("Hồ sơ đã được xác nhận thanh toán: không điều chỉnh lệ phí được nữa."))
    before = fee_due(dossier)
    if amount == before:
        raise PaymentError(_("Số tiền mới giống lệ phí hiện tại."), "amount")
    dossier.fee_vnd = amount
    record_event(dossier, EventKind.FEE_CORRECTED, user, public=True,
                 note=_("Lệ phí điều chỉnh từ %(before)s thành %(after)s. Lý do: %(reason)s",
                        before=format_vnd(before) or "—", after=format_vnd(amount), reason=reason),
                 data={"before": before, "after": amount})
    db.session.flush()


def _already(payment):
    return _("Hồ sơ này đã được xác nhận thanh toán lúc %(when)s (%(how)s, %(amount)s). Không xác nhận lần hai.",
             when=format_datetime(payment.recorded_at), how=_(payment.channel_label),
             amount=format_vnd(payment.amount_vnd))


def confirm_payment(dossier, user, channel, amount, reference="", accept_difference=False, statement=None,
                    paid_on=None):
    """Record that the dossier's fee was received; refused if it already was (or the bank reference
    was already used). An amount other than the fee is refused unless the clerk says they checked it,
    and then it is kept flagged (Payment.mismatch)."""
    if dossier.status in NOT_OWED:
        raise PaymentError(_("Hồ sơ ở trạng thái này không thu lệ phí."))
    existing = payment_of(dossier)
    if existing is not None:
        raise PaymentError(_already(existing))
    reference = (reference or "").strip()
    if channel == TRANSFER:
        if not reference:
            raise PaymentError(_("Nhập mã giao dịch (số tham chiếu) của ngân hàng."), "reference")
        used = reference_used(reference)
        if used is not None:
            raise PaymentError(_("Mã giao dịch %(ref)s đã được dùng để xác nhận hồ sơ %(code)s.",
                                 ref=reference, code=used.dossier.display_code), "reference")
    due = fee_due(dossier)
    differs = due is None or amount != due
    if differs and not accept_difference:
        raise PaymentError(_("Số tiền %(amount)s khác lệ phí %(due)s. Kiểm tra lại; nếu đúng là đã nhận số tiền "
                             "này, đánh dấu ô xác nhận chênh lệch.", amount=format_vnd(amount),
                             due=format_vnd(due) or _("chưa xác định")), "amount")
    payment = Payment(dossier_id=dossier.id, channel=channel, amount_vnd=amount, due_vnd=due,
                      reference=reference, recorded_at=utcnow(), recorded_by_id=user.id,
                      statement_id=statement.id if statement is not None else None, paid_on=paid_on)
    db.session.add(payment)
    note = _("Đã nhận %(amount)s (%(how)s).", amount=format_vnd(amount), how=_(CHANNEL_LABELS[channel]))
    if differs:
        note += " " + _("Chênh lệch so với lệ phí %(due)s.", due=format_vnd(due) or _("chưa xác định"))
    record_event(dossier, EventKind.PAYMENT_CONFIRMED, user, public=True, note=note,
                 data={"channel": channel, "amount": amount, "due": due, "reference": reference,
                       "mismatch": differs})
    db.session.flush()
    return payment


def import_statement(user, data, filename=""):
    """Read a statement file whole and keep its incoming rows for the clerk to confirm (StatementError
    if any row cannot be read: then nothing is kept)."""
    rows = read_statement(data, filename)
    statement = StatementImport(filename=(filename or "")[:200], sha256=hashlib.sha256(data).hexdigest(),
                                rows=[r.as_dict() for r in rows], uploaded_at=utcnow(), uploaded_by_id=user.id)
    db.session.add(statement)
    db.session.flush()
    return statement


def statement_lines(statement):
    """Each row of the statement with the dossier it names and how it stands: [(row, dossier, state)]."""
    rows = statement.rows or []
    named = dossiers_named([r["content"] for r in rows])
    seen_refs = set()
    lines = []
    for row in rows:
        dossier = named.get(row["content"])
        ref = (row.get("reference") or "").strip()
        if dossier is None:
            state = UNMATCHED
        elif payment_of(dossier) is not None or (ref and (ref in seen_refs or reference_used(ref))):
            state = ALREADY_PAID
        elif fee_due(dossier) != row["amount"] or dossier.status in NOT_OWED:
            state = MISMATCH
        else:
            state = MATCH
        if ref:
            seen_refs.add(ref)
        lines.append((row, dossier, state))
    return lines


def confirm_statement(statement, user, picked_rows):
    """Confirm the payments of the picked rows, all or none: refused if the statement was confirmed
    already, or if one picked row cannot be confirmed (the message names it)."""
    if statement.confirmed_at is not None:
        raise PaymentError(_("Sao kê này đã được xác nhận lúc %(when)s. Không xác nhận lần hai.",
                             when=format_datetime(statement.confirmed_at)))
    picked = set(picked_rows)
    if not picked:
        raise PaymentError(_("Chọn ít nhất một khoản để xác nhận."), "rows")
    confirmed = []
    for row, dossier, _state in statement_lines(statement):
        if row["row"] not in picked:
            continue
        if dossier is None:
            raise PaymentError(_("Dòng %(row)s không ghi mã hồ sơ nào.", row=row["row"]), "rows")
        try:
            reference = row.get("reference") or f"SK{statement.id}-{row['row']}"
            confirm_payment(dossier, user, TRANSFER, row["amount"], reference, accept_difference=True,
                            statement=statement, paid_on=datetime.fromisoformat(row["date"]))
        except PaymentError as error:
            raise PaymentError(_("Dòng %(row)s: %(message)s", row=row["row"], message=error.message),
                               "rows") from error
        confirmed.append(row["row"])
    statement.confirmed_at = utcnow()
    statement.confirmed_by_id = user.id
    db.session.flush()
    return confirmed

