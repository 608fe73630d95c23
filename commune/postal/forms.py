"""Postal forms. Every button is a form so CSRF and the one-time token travel with it."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from ..core.forms import CommuneForm
from ..core.phone import PhoneNumber
from ..dossiers.models import ResultMethod
from ..payments.queries import left_to_pay
from . import s10
from .models import FAIL_REASONS


def _s10(form, field):
    field.data = s10.normalize(field.data)
    if field.data and not s10.is_valid(field.data):
        raise ValidationError(_l("Số hiệu bưu gửi không đúng (ví dụ EB123456785VN). Kiểm tra lại từng chữ số."))


class ChangeMethodForm(CommuneForm):
    """The villager chooses: collect at the office or delivery by post."""

    method = RadioField(_l("Cách nhận kết quả"), choices=[
        SelectChoice(ResultMethod.OFFICE, _l("Nhận tại Bộ phận Một cửa UBND xã")),
        SelectChoice(ResultMethod.POST, _l("Nhận qua bưu điện tại nhà")),
    ], validators=[InputRequired(_l("Chọn cách nhận kết quả."))])
    name = StringField(_l("Người nhận"), validators=[Length(max=200)])
    phone = StringField(_l("Số điện thoại người nhận"), validators=[PhoneNumber()])
    address = StringField(_l("Địa chỉ nhận (số nhà, đường, xóm)"), validators=[Length(max=300)])
    village = StringField(_l("Thôn / bản"), validators=[Length(max=120)])
    note = StringField(_l("Lời nhắn cho bưu tá (không bắt buộc)"), validators=[Length(max=300)],
                       description=_l("Ví dụ: nhà cạnh trường tiểu học, gọi trước khi đến."))

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.method.data == ResultMethod.POST:
            for field in (self.name, self.phone, self.address, self.village):
                if not (field.data or "").strip():
                    field.errors.append(_l("Vui lòng điền mục này để bưu điện giao đến đúng người."))
                    ok = False
        return ok


class TokenForm(CommuneForm):
    """A one-click action (out for delivery, return to the office) with its one-time token."""

    token = HiddenField(validators=[InputRequired(), Length(min=16, max=48)])


class DeliveredForm(TokenForm):
    """Delivered: who received it, the fee collected, an optional photo."""

    receiver = RadioField(_l("Ai nhận?"), choices=[
        SelectChoice("self", _l("Chính người nhận")),
        SelectChoice("relative", _l("Người thân nhận thay")),
    ], default="self", validators=[InputRequired(_l("Chọn người đã nhận."))])
    relative_name = StringField(_l("Tên người nhận thay"), validators=[Length(max=200)])
    fee_collected = RadioField(_l("Đã thu tiền?"), choices=[
        SelectChoice("yes", _l("Có")), SelectChoice("no", _l("Không"))],
                               validators=[InputRequired(_l("Chọn đã thu tiền hay chưa."))])
    fee_amount = IntegerField(_l("Số tiền đã thu (đồng)"),
                              validators=[Optional(), NumberRange(min=0, max=100_000_000,
                                                                  message=_l("Số tiền không hợp lệ."))])
    photo = FileField(_l("Ảnh xác nhận (không bắt buộc)"),
                      validators=[FileAllowed(["jpg", "jpeg", "png", "webp", "heic", "heif"],
                                              _l("Chỉ nhận ảnh (JPG, PNG, HEIC)."))])

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.receiver.data == "relative" and not (self.relative_name.data or "").strip():
            self.relative_name.errors.append(_l("Ghi tên người nhận thay."))
            ok = False
        return ok


class FailedForm(TokenForm):
    """A failed attempt: a reason from the list (a note when it is 'other')."""

    reason = RadioField(_l("Vì sao không phát được?"), choices=[SelectChoice(k, v) for k, v in FAIL_REASONS.items()],
                        validators=[InputRequired(_l("Chọn lý do."))])
    note = TextAreaField(_l("Ghi chú"), validators=[Length(max=300)])

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.reason.data == "other" and not (self.note.data or "").strip():
            self.note.errors.append(_l("Ghi rõ lý do."))
            ok = False
        return ok


class OpenManifestForm(CommuneForm):
    """The post opens a manifest by its number."""

    number = StringField(_l("Số bảng kê"), validators=[InputRequired(_l("Nhập số bảng kê.")), Length(max=20)],
                         description=_l("Ví dụ: BK-2026-0001"))


def confirm_form(items):
    """A form with a 'received' tick and an optional carrier number for each item."""

    class ConfirmForm(TokenForm):
        pass

    for item in items:
        setattr(ConfirmForm, f"got_{item.id}", BooleanField(_l("Đã nhận")))
        setattr(ConfirmForm, f"s10_{item.id}", StringField(_l("Số hiệu bưu gửi (nếu có)"),
                                                           validators=[Length(max=20), _s10]))
    return ConfirmForm


def manifest_form(dossiers, offices=()):
    """A form to pick which ready results go in the bag, the fee to collect for each, and (when the
    commune names its post offices) the office the bag is handed to: only its accounts open it."""

    class ManifestForm(CommuneForm):
        pass

    if offices:
        ManifestForm.post_office = SelectField(
            _l("Giao cho bưu cục"), choices=[("", _l("Chọn bưu cục"))] + [(o, o) for o in offices],
            default=offices[0] if len(offices) == 1 else "",
            validators=[InputRequired(_l("Chọn bưu cục nhận túi kết quả."))],
            description=_l("Chỉ tài khoản bưu điện của bưu cục này mở được bảng kê."))

    for dossier in dossiers:
        setattr(ManifestForm, f"pick_{dossier.id}", BooleanField(_l("Bàn giao")))
        setattr(ManifestForm, f"fee_{dossier.id}", IntegerField(
            _l("Thu hộ (đồng)"), default=left_to_pay(dossier),
            validators=[Optional(), NumberRange(min=0, max=100_000_000, message=_l("Số tiền không hợp lệ."))]))
    return ManifestForm
