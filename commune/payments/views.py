"""The desk's payment pages: confirm one payment, correct the fee, import a bank statement and confirm
its matches. Only the desk (core.roles.DESK) reaches them; every dossier fetched is checked."""
import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.permissions import roles_required
from ..core.roles import DESK
from ..dossiers.access import staff_dossier
from ..extensions import db
from ..web.unit_of_work import refusal_rolls_back
from . import bp, presenters, services
from .forms import ConfirmPaymentForm, CorrectFeeForm, StatementConfirmForm, StatementUploadForm
from .models import StatementImport
from .statements import MAX_BYTES, StatementError

bp.add_app_template_global(presenters.fee_box, "fee_box")
bp.add_app_template_global(presenters.payment_panel, "payment_panel")


def _refused(dossier, confirm_form=None, fee_form=None, status=400, message=None):
    """The payment page with the clerk's input and the reason, so nothing typed is lost."""
    panel = presenters.payment_panel(dossier, confirm_form=confirm_form, fee_form=fee_form)
    return render_template("payments/dossier.html", dossier=dossier, panel=panel, message=message), status


def _refused_by_rule(dossier, error, confirm_form=None, fee_form=None):
    """A PaymentError: beside its field (400), or above the form when the dossier's state forbids it (409)."""
    if error.field is None:
        return _refused(dossier, confirm_form, fee_form, status=409, message=error.message)
    form = confirm_form or fee_form
    form[error.field].errors = [*form[error.field].errors, error.message]
    return _refused(dossier, confirm_form, fee_form)


@bp.route("/hop-thu/ho-so/<int:dossier_id>/thanh-toan", methods=["GET", "POST"])
@roles_required(*DESK)
def confirm(dossier_id):
    """'Đã nhận chuyển khoản' with the bank's reference, or cash at the desk."""
    dossier = staff_dossier(dossier_id)
    form = ConfirmPaymentForm()
    if not form.validate_on_submit():
        return _refused(dossier, confirm_form=form, status=400 if form.is_submitted() else 200)
    with refusal_rolls_back(services.PaymentError) as refusal:
        services.confirm_payment(dossier, current_user, form.channel.data, form.amount.data,
                                 form.reference.data or "", accept_difference=bool(form.accept_difference.data))
    if refusal:
        return _refused_by_rule(dossier, refusal.error, confirm_form=form)
    flash(_("Đã xác nhận thanh toán lệ phí hồ sơ %(code)s.", code=dossier.display_code))
    return redirect(url_for("inbox.dossier", dossier_id=dossier.id))


@bp.route("/hop-thu/ho-so/<int:dossier_id>/le-phi", methods=["POST"])
@roles_required(*DESK)
def correct_fee(dossier_id):
    """The clerk's corrected fee, before receiving, with the reason (written to the dossier's record)."""
    dossier = staff_dossier(dossier_id)
    form = CorrectFeeForm()
    if not form.validate_on_submit():
        return _refused(dossier, fee_form=form)
    with refusal_rolls_back(services.PaymentError) as refusal:
        services.correct_fee(dossier, current_user, form.amount.data, form.reason.data.strip())
    if refusal:
        return _refused_by_rule(dossier, refusal.error, fee_form=form)
    flash(_("Đã điều chỉnh lệ phí hồ sơ %(code)s.", code=dossier.display_code))
    return redirect(url_for("inbox.dossier", dossier_id=dossier.id))


def _recent_statements():
    return db.session.scalars(sa.select(StatementImport).order_by(StatementImport.id.desc()).limit(10)).all()


@bp.route("/thanh-toan/sao-ke", methods=["GET", "POST"])
@roles_required(*DESK)
def statements():
    """Upload a bank statement: read whole, then shown for the clerk to confirm its matches."""
    form = StatementUploadForm()
    error = None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            # One byte past the limit, so a file too large is refused rather than cut.
            statement = services.import_statement(current_user, upload.read(MAX_BYTES + 1), upload.filename or "")
        except StatementError as refused:
            error = str(refused)
        else:
            return redirect(url_for("payments.statement", statement_id=statement.id))
    status = 400 if form.is_submitted() and (error or form.errors) else 200
    return render_template("payments/statements.html", form=form, error=error,
                           recent=_recent_statements()), status


def _statement(statement_id):
    return db.session.get(StatementImport, statement_id) or abort(404)


def _confirm_form(lines, formdata=True):
    form = StatementConfirmForm() if formdata else StatementConfirmForm(formdata=None)
    form.rows.choices = [(row["row"], str(row["row"])) for row, dossier, state in lines
                         if state in (services.MATCH, services.MISMATCH)]
    if not formdata:
        form.rows.data = [row["row"] for row, dossier, state in lines if state == services.MATCH]
    return form


def _statement_page(statement, form, lines, status=200):
    return render_template("payments/statement.html", statement=statement, form=form, lines=lines,
                           states=services), status


@bp.route("/thanh-toan/sao-ke/<int:statement_id>")
@roles_required(*DESK)
def statement(statement_id):
    """The statement's rows: matched (ticked), amount not the fee (flagged, not ticked), paid, unmatched."""
    statement = _statement(statement_id)
    lines = services.statement_lines(statement)
    return _statement_page(statement, _confirm_form(lines, formdata=False), lines)


@bp.route("/thanh-toan/sao-ke/<int:statement_id>/xac-nhan", methods=["POST"])
@roles_required(*DESK)
def confirm_statement(statement_id):
    """Confirm the ticked rows' payments, all or none."""
    statement = _statement(statement_id)
    lines = services.statement_lines(statement)
    form = _confirm_form(lines)
    if statement.confirmed_at is None and not form.validate_on_submit():
        return _statement_page(statement, form, lines, 400)
    with refusal_rolls_back(services.PaymentError) as refusal:
        confirmed = services.confirm_statement(statement, current_user, form.rows.data or [])
    if refusal:
        form.rows.errors = [*form.rows.errors, refusal.error.message]
        return _statement_page(statement, form, lines, 409 if statement.confirmed_at else 400)
    flash(_("Đã xác nhận %(n)s khoản thanh toán từ sao kê.", n=len(confirmed)))
    return redirect(url_for("payments.statement", statement_id=statement.id))
