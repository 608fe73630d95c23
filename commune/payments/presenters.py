"""What the pages show about a dossier's fee: the amount and how it was counted, the VietQR while it is
owed, 'Đã thanh toán' once paid; and the clerk's payment forms on the inbox dossier page.

Templates call these as globals (registered in views.py), so the pages that include the partials
(`payments/_vietqr.html`, `payments/_inbox_panel.html`) need nothing from their own views."""
from dataclasses import dataclass

from flask_login import current_user

from ..core.roles import DESK, is_in
from ..dossiers.fees import fee_breakdown, fee_due
from .banks import receiving_account
from .forms import ConfirmPaymentForm, CorrectFeeForm
from .models import TRANSFER
from .queries import NOT_OWED, owes_fee, payment_of
from .services import FEE_CORRECTABLE
from .vietqr import VietQRError, transfer_qr


@dataclass
class FeeBox:
    due: int
    per_unit: int | None
    units: int
    unit: str
    payment: object  # Payment or None
    qr: object  # vietqr.TransferQR or None

    @property
    def paid(self):
        return self.payment is not None


def fee_box(dossier):
    """The fee's facts for the receipt, the tracking page and Form 01; None when nothing is owed (free,
    or set by the province and not yet known)."""
    due = fee_due(dossier)
    if not due or not dossier.code:
        return None
    per_unit, units, unit = fee_breakdown(dossier)
    payment = payment_of(dossier)
    if payment is None and dossier.status in NOT_OWED:
        return None  # refused or withdrawn: nothing to pay
    qr = None
    account = receiving_account()
    if payment is None and account is not None and owes_fee(dossier):
        try:
            qr = transfer_qr(account, due, dossier.code)
        except VietQRError:
            qr = None  # a malformed saved account shows the desk's way to pay instead of a broken QR
    return FeeBox(due=due, per_unit=per_unit, units=units, unit=unit, payment=payment, qr=qr)


def payment_panel(dossier, confirm_form=None, fee_form=None):
    """The inbox dossier page's fee panel: the state, and the desk's forms when it may use them."""
    box = fee_box(dossier)
    desk = is_in(current_user, DESK)
    payment = box.payment if box else payment_of(dossier)
    can_confirm = desk and payment is None and owes_fee(dossier)
    can_correct = desk and payment is None and dossier.status in FEE_CORRECTABLE
    if can_confirm and confirm_form is None:
        confirm_form = ConfirmPaymentForm(formdata=None, channel=TRANSFER, amount=fee_due(dossier))
    if can_correct and fee_form is None:
        fee_form = CorrectFeeForm(formdata=None, amount=fee_due(dossier))
    return {"box": box, "payment": payment, "due": fee_due(dossier),
            "confirm_form": confirm_form if can_confirm else None, "fee_form": fee_form if can_correct else None}
