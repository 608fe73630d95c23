"""Tracking forms: lookup, supplement answer, withdrawal, rating."""
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, MultipleFileField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..core.forms import CommuneForm
from .models import NEUTRAL, SATISFIED, UNSATISFIED


class LookupForm(CommuneForm):
    code = StringField(_l("Mã hồ sơ"), validators=[
        DataRequired(_l("Nhập mã hồ sơ in trên biên nhận.")), Length(max=40)],
        description=_l("Ví dụ: K7QM-X2PD-AF. Viết hoa hay thường, có gạch hay không đều được."))
    secret = StringField(_l("Số điện thoại đã dùng khi nộp, hoặc mã tra cứu"), validators=[
        DataRequired(_l("Nhập số điện thoại đã dùng khi nộp hồ sơ, hoặc mã tra cứu in cạnh mã QR.")),
        Length(max=40)],
        description=_l("Ví dụ: 0912 345 678. Mã tra cứu gồm 6 ký tự, in trên biên nhận."))


class KeyForm(CommuneForm):
    """Status access → full access: the code (already known) and the key printed on the receipt."""

    code = HiddenField(validators=[DataRequired(), Length(max=40)])
    secret = StringField(_l("Mã tra cứu (6 ký tự, in cạnh mã QR trên biên nhận)"), validators=[
        DataRequired(_l("Nhập mã tra cứu in trên biên nhận.")), Length(max=40)])


class SupplementAnswerForm(CommuneForm):
    """Send the answer (the photos are already added, item by item) with a short reply."""

    reply = TextAreaField(_l("Lời nhắn cho cán bộ"), validators=[
        Optional(), Length(max=2000, message=_l("Lời nhắn tối đa 2000 ký tự."))],
        description=_l("Không bắt buộc. Ví dụ: “Tôi gửi lại ảnh giấy khai sinh rõ hơn.”"))


class SupplementPhotoForm(CommuneForm):
    """One or more pages for one requested item (the upload script and the plain form both post here)."""

    file = MultipleFileField(_l("Chọn ảnh hoặc tệp PDF"))


class WithdrawForm(CommuneForm):
    reason = TextAreaField(_l("Lý do rút hồ sơ (không bắt buộc)"), validators=[
        Optional(), Length(max=500, message=_l("Lý do tối đa 500 ký tự."))])


class RatingForm(CommuneForm):
    score = RadioField(_l("Bạn có hài lòng với cách giải quyết hồ sơ này không?"),
                       choices=[SelectChoice(SATISFIED, _l("Hài lòng")), SelectChoice(NEUTRAL, _l("Bình thường")),
                                SelectChoice(UNSATISFIED, _l("Không hài lòng"))],
                       validators=[InputRequired(_l("Hãy chọn một mức đánh giá."))])
    comment = TextAreaField(_l("Góp ý thêm (không bắt buộc)"), validators=[
        Optional(), Length(max=1000, message=_l("Góp ý tối đa 1000 ký tự."))])
