"""Payment forms: confirm one payment, correct the fee, upload and confirm a bank statement, and the
receiving account's fields on the admin settings page."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, RadioField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..core.forms import DB_INT_MAX, CommuneForm
from .banks import ACCOUNT_NUMBER_RE, account_holder, bank_choices
from .models import DESK, TRANSFER

# amount_vnd is an INTEGER column: 10**12 passed here and overflowed PostgreSQL at the save.
AMOUNT = NumberRange(min=0, max=DB_INT_MAX, message=_l("Nhập số tiền từ 0 đồng trở lên."))


class ConfirmPaymentForm(CommuneForm):
    """'Đã nhận chuyển khoản' (with the bank's reference), or cash at the desk."""

    channel = RadioField(_l("Hình thức"), default=TRANSFER, choices=[
        SelectChoice(TRANSFER, _l("Đã nhận chuyển khoản")), SelectChoice(DESK, _l("Đã thu tiền mặt tại quầy"))],
        validators=[InputRequired(_l("Chọn hình thức thanh toán."))])
    amount = IntegerField(_l("Số tiền đã nhận (đồng)"), validators=[InputRequired(_l("Nhập số tiền đã nhận.")), AMOUNT],
                          render_kw={"inputmode": "numeric"},
                          invalid_value_message=_l("Nhập một số (chỉ gồm chữ số)."))
    reference = StringField(_l("Mã giao dịch của ngân hàng"), validators=[Optional(), Length(max=100)],
                            description=_l("Số tham chiếu trên sao kê hoặc tin báo của ngân hàng (khi chuyển khoản)."))
    accept_difference = BooleanField(_l("Tôi đã kiểm tra: số tiền nhận được khác lệ phí"))


class CorrectFeeForm(CommuneForm):
    """The clerk's correction of the computed fee, before receiving."""

    amount = IntegerField(_l("Lệ phí đúng (đồng)"), validators=[InputRequired(_l("Nhập lệ phí đúng.")), AMOUNT],
                          render_kw={"inputmode": "numeric"},
                          invalid_value_message=_l("Nhập một số (chỉ gồm chữ số)."))
    reason = StringField(_l("Lý do điều chỉnh"), validators=[
        DataRequired(_l("Ghi lý do điều chỉnh lệ phí.")), Length(max=300)],
        description=_l("Ví dụ: giấy tờ có 5 trang, từ trang thứ 3 tính 1.000 đồng/trang."))


class StatementUploadForm(CommuneForm):
    file = FileField(_l("Tệp sao kê (CSV hoặc Excel .xlsx)"), validators=[FileRequired(_l("Chọn tệp sao kê."))])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class StatementConfirmForm(CommuneForm):
    rows = MultiCheckboxField(_l("Các khoản xác nhận"), coerce=int, choices=[], validate_choice=True)


class ReceivingAccountFields:
    """The commune's receiving account, mixed into the admin SettingsForm (the field names are the settings)."""

    payment_bank_bin = SelectField(_l("Ngân hàng nhận lệ phí"), choices=bank_choices, default="",
                                   description=_l("Ngân hàng thành viên NAPAS của tài khoản nhận chuyển khoản."))
    payment_account_number = StringField(_l("Số tài khoản"), validators=[Optional(), Regexp(
        ACCOUNT_NUMBER_RE, message=_l("Số tài khoản gồm 4 đến 19 chữ số hoặc chữ cái, không dấu cách."))])
    payment_account_name = StringField(_l("Tên chủ tài khoản"), filters=[account_holder],
                                       validators=[Optional(), Length(max=100)],
                                       description=_l("Như ngân hàng ghi, ví dụ: UBND XA HOA BINH."))

    def validate_payment_bank_bin(self, field):
        if bool(field.data) != bool(self.payment_account_number.data):
            raise ValidationError(_l("Chọn ngân hàng và nhập số tài khoản (hoặc để trống cả hai)."))
