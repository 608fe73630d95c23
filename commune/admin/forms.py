"""Admin forms: catalog, staff, calendar, settings, import."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional, Regexp, ValidationError

from ..accounts.models import User
from ..catalog.models import ONLINE_KINDS, RESULT_OFFICIAL, RESULT_REFERENCE, Procedure
from ..core.calendar import OFF, WORKING
from ..core.forms import CommuneForm, CommuneSubForm
from ..core.roles import ROLE_LABELS
from ..dossiers.fees import count_questions
from ..dossiers.official_code import AGENCY_CODE_MAX, AGENCY_CODE_PATTERN
from ..extensions import db
from ..inbox.services import ONCE_ONLY, SECOND_WITH_REASON
from ..payments.forms import ReceivingAccountFields

FIELD_TYPES = {
    "text": "Chữ (một dòng)",
    "textarea": "Đoạn văn",
    "date": "Ngày",
    "number": "Số",
    "phone": "Số điện thoại",
    "id_number": "Số định danh cá nhân",
    "select": "Chọn một (danh sách)",
    "radio": "Chọn một (nút)",
    "checkbox": "Ô đánh dấu",
}
CHOICE_TYPES = ("select", "radio")
SLUG = Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$", message=_l("Chỉ dùng chữ thường không dấu, số và dấu gạch ngang."))


class FieldForm(CommuneForm):
    code = StringField(_l("Mã lĩnh vực"), validators=[DataRequired(), Length(max=60), SLUG])
    name = StringField(_l("Tên lĩnh vực"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Tên tiếng Anh"), validators=[Optional(), Length(max=200)])
    position = IntegerField(_l("Thứ tự"), default=0, validators=[Optional(), NumberRange(min=0)])
    active = BooleanField(_l("Đang dùng"), default=True)


class DocumentRow(CommuneSubForm):
    name = TextAreaField(_l("Tên giấy tờ"), validators=[Optional(), Length(max=2000)])
    original_or_copy = StringField(_l("Bản chính / bản sao"), validators=[Optional(), Length(max=200)])
    count = IntegerField(_l("Số lượng"), default=1, validators=[Optional(), NumberRange(min=1, max=50)])
    required = BooleanField(_l("Bắt buộc"), default=True)
    hint = StringField(_l("Gợi ý"), validators=[Optional(), Length(max=1000)])
    online_form = BooleanField(_l("Nộp trực tuyến thì thay bằng các câu hỏi trên mẫu (không cần ảnh)"))


class FormFieldRow(CommuneSubForm):
    name = StringField(_l("Mã câu hỏi"), validators=[Optional(), Length(max=60),
                                                     Regexp(r"^[a-z][a-z0-9_]*$", message=_l(
                                                         "Chỉ dùng chữ thường không dấu, số và dấu _."))])
    # No Optional() here: it would stop the checks below for an empty value.
    label = StringField(_l("Câu hỏi"), validators=[Length(max=300)])
    type = SelectField(_l("Kiểu"), choices=[SelectChoice(k, v) for k, v in FIELD_TYPES.items()], default="text")
    required = BooleanField(_l("Bắt buộc"))
    choices = StringField(_l("Các lựa chọn (cách nhau bằng dấu ;)"), validators=[Length(max=1000)])
    help = StringField(_l("Hướng dẫn"), validators=[Optional(), Length(max=500)])

    def validate_label(self, field):
        if self.name.data and not field.data:
            raise ValidationError(_l("Nhập câu hỏi."))

    def validate_choices(self, field):
        if self.type.data in CHOICE_TYPES and self.name.data and not [c for c in (field.data or "").split(";")
                                                                      if c.strip()]:
            raise ValidationError(_l("Nhập ít nhất một lựa chọn."))


class ProcedureForm(CommuneForm):
    action = StringField()  # the button pressed: "save" or "preview" (its name on both buttons)
    name = TextAreaField(_l("Tên thủ tục"), validators=[DataRequired(), Length(max=500)])
    name_en = StringField(_l("Tên tiếng Anh"), validators=[Optional(), Length(max=500)])
    code = StringField(_l("Mã thủ tục quốc gia"), validators=[Optional(), Length(max=40)])
    local_code = StringField(_l("Mã thủ tục của tỉnh"), validators=[Optional(), Length(max=60)],
                             description=_l("Mã quốc gia kèm mã đơn vị của tỉnh, ví dụ 1.001193.000.00.00.H56."))
    slug = StringField(_l("Đường dẫn"), validators=[DataRequired(), Length(max=200), SLUG])
    field_id = SelectField(_l("Lĩnh vực"), coerce=int, choices=[])
    processing_days = IntegerField(_l("Thời hạn giải quyết (ngày làm việc)"),
                                   description=_l("0 = trả trong ngày; để trống nếu chưa công bố."),
                                   validators=[Optional(), NumberRange(min=0, max=365)])
    processing_note = TextAreaField(_l("Ghi chú thời hạn"), validators=[Optional(), Length(max=3000)])
    fee_vnd = IntegerField(_l("Phí, lệ phí (đồng)"),
                           description=_l("0 = miễn phí; để trống nếu do HĐND tỉnh quy định."),
                           validators=[Optional(), NumberRange(min=0)])
    fee_unit = StringField(_l("Đơn vị tính phí"), description=_l("Ví dụ: trang, bản sao (phí tính theo đơn vị)."),
                           validators=[Optional(), Length(max=40)])
    fee_note = TextAreaField(_l("Ghi chú phí"), validators=[Optional(), Length(max=3000)])
    fee_count = StringField(_l("Câu hỏi đếm số đơn vị tính phí"), validators=[Optional(), Length(max=100)],
                            description=_l("Mã các câu hỏi kiểu Số, cách nhau bằng dấu phẩy; lệ phí = phí × tích các "
                                           "câu trả lời. Ví dụ: copies, pages. Để trống: một đơn vị."))
    fee_min_vnd = IntegerField(_l("Lệ phí tối thiểu (đồng)"), validators=[Optional(), NumberRange(min=0)])
    fee_max_vnd = IntegerField(_l("Lệ phí tối đa (đồng)"), validators=[Optional(), NumberRange(min=0)])
    online_level = SelectField(_l("Nộp trực tuyến"), choices=[SelectChoice("", _l("Không (chỉ thông tin)"))]
                               + [SelectChoice(k, k) for k in ONLINE_KINDS], default="")
    postal_return_allowed = BooleanField(_l("Cho phép nhận kết quả qua bưu chính"))
    result_copy = SelectField(_l("Bản điện tử của kết quả người dân tải về"), default=RESULT_REFERENCE, choices=[
        SelectChoice(RESULT_REFERENCE, _l("Bản sao để tham khảo (bản giấy mới có giá trị)")),
        SelectChoice(RESULT_OFFICIAL, _l("Kết quả điện tử chính thức (có giá trị như bản giấy)"))],
        description=_l("Bản giấy gốc vẫn được trả tại bộ phận Một cửa hoặc gửi qua bưu điện."))
    eligible_submitters = TextAreaField(_l("Đối tượng thực hiện"), validators=[Optional(), Length(max=3000)])
    result = TextAreaField(_l("Kết quả"), validators=[Optional(), Length(max=3000)])
    legal_basis = TextAreaField(_l("Căn cứ pháp lý (mỗi dòng một văn bản)"), validators=[Optional(), Length(max=10000)])
    keywords = StringField(_l("Từ khóa tìm kiếm (cách nhau bằng dấu ;)"), validators=[Optional(), Length(max=1000)])
    active = BooleanField(_l("Đang áp dụng"), default=True)
    documents = FieldList(FormField(DocumentRow), min_entries=0)
    form_fields = FieldList(FormField(FormFieldRow), min_entries=0)
    editing = None  # the procedure being edited (None for a new one): its own slug and code are fine

    def _taken(self, column, value):
        owner = db.session.scalar(sa.select(Procedure.id).where(column == value)) if value else None
        return owner is not None and owner != getattr(self.editing, "id", None)

    def validate_slug(self, field):
        if self._taken(Procedure.slug, field.data):
            raise ValidationError(_l("Đường dẫn này đã dùng cho thủ tục khác."))

    def validate_code(self, field):
        if self._taken(Procedure.code, (field.data or "").strip()):
            raise ValidationError(_l("Mã này đã dùng cho thủ tục khác."))

    def validate_fee_count(self, field):
        numbers = {row.form.name.data for row in self.form_fields if row.form.type.data == "number"}
        unknown = [name for name in count_questions(field.data) if name not in numbers]
        if unknown:
            raise ValidationError(_l("Không có câu hỏi kiểu Số mang mã: %(names)s.", names=", ".join(unknown)))

    def validate_fee_max_vnd(self, field):
        if field.data is not None and self.fee_min_vnd.data is not None and field.data < self.fee_min_vnd.data:
            raise ValidationError(_l("Lệ phí tối đa nhỏ hơn lệ phí tối thiểu."))


class BlankFormUpload(CommuneForm):
    title = StringField(_l("Tên mẫu đơn, tờ khai"), validators=[DataRequired(), Length(max=300)])
    file = FileField(_l("Tệp (PDF, DOC hoặc DOCX)"), validators=[FileRequired(_l("Chọn một tệp."))])


class ImportForm(CommuneForm):
    file = FileField(_l("Tệp danh mục (JSON)"), validators=[FileRequired(_l("Chọn một tệp."))])


ROLE_CHOICES = [SelectChoice(k, v) for k, v in ROLE_LABELS.items()]


class UserCreateForm(CommuneForm):
    username = StringField(_l("Tên đăng nhập"), validators=[
        DataRequired(), Length(min=3, max=80),
        Regexp(r"^[a-z0-9._-]+$", message=_l("Chỉ dùng chữ thường không dấu, số, dấu chấm, gạch."))])
    full_name = StringField(_l("Họ và tên"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Vai trò"), choices=ROLE_CHOICES)
    post_office = StringField(_l("Bưu cục (chỉ cho nhân viên bưu điện)"), validators=[Length(max=120)],
                              description=_l("Nhân viên bưu điện chỉ mở được bảng kê giao cho bưu cục của mình."))
    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired(), Length(min=8, max=200)])

    def validate_username(self, field):
        """A name already taken is refused on the form, beside the field."""
        if db.session.scalar(sa.select(User.id).filter_by(username=(field.data or "").strip())):
            raise ValidationError(_l("Tên đăng nhập này đã có."))


class UserEditForm(CommuneForm):
    full_name = StringField(_l("Họ và tên"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Vai trò"), choices=ROLE_CHOICES)
    post_office = StringField(_l("Bưu cục (chỉ cho nhân viên bưu điện)"), validators=[Length(max=120)],
                              description=_l("Nhân viên bưu điện chỉ mở được bảng kê giao cho bưu cục của mình."))


class ResetPasswordForm(CommuneForm):
    password = PasswordField(_l("Mật khẩu mới"), validators=[DataRequired(), Length(min=8, max=200)])
    confirm = PasswordField(_l("Nhập lại mật khẩu mới"), validators=[
        DataRequired(), EqualTo("password", message=_l("Hai mật khẩu không giống nhau."))])


class CalendarDayForm(CommuneForm):
    day = DateField(_l("Ngày"), validators=[DataRequired(message=_l("Chọn ngày."))])
    kind = SelectField(_l("Loại"), choices=[SelectChoice(OFF, _l("Ngày nghỉ thêm")),
                                           SelectChoice(WORKING, _l("Ngày làm bù (làm việc)"))])
    note = StringField(_l("Ghi chú"), validators=[Optional(), Length(max=200)])


class CutoffForm(CommuneForm):
    cutoff = StringField(_l("Giờ chốt tiếp nhận trong ngày"),
                         description=_l("Hồ sơ nhận sau giờ này được tính từ ngày làm việc tiếp theo."),
                         validators=[DataRequired(), Regexp(r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
                                                            message=_l("Nhập giờ dạng HH:MM, ví dụ 15:00."))])


class SettingsForm(ReceivingAccountFields, CommuneForm):
    commune_name = StringField(_l("Tên xã"), validators=[DataRequired(), Length(max=200)])
    office_name = StringField(_l("Tên bộ phận một cửa"), validators=[DataRequired(), Length(max=200)])
    office_address = StringField(_l("Địa chỉ"), validators=[DataRequired(), Length(max=300)])
    office_phone = StringField(_l("Điện thoại"), validators=[DataRequired(), Length(max=40)])
    office_email = StringField(_l("Thư điện tử"), validators=[Optional(), Length(max=200)])
    office_hours = TextAreaField(_l("Giờ làm việc"), validators=[DataRequired(), Length(max=500)])
    receiving_unit = StringField(_l("Đơn vị tiếp nhận"), validators=[Optional(), Length(max=200)])
    agency_code = StringField(
        _l("Mã đơn vị (mã định danh)"), filters=[lambda v: (v or "").strip().upper()],
        validators=[Optional(), Length(max=AGENCY_CODE_MAX),
                    Regexp(AGENCY_CODE_PATTERN, message=_l("Chỉ dùng chữ in hoa không dấu, số và dấu chấm, "
                                                           "ví dụ 000.21.33.H56."))],
        description=_l("Mã định danh của xã theo QCVN 102:2016/BTTTT, ví dụ 000.21.33.H56; đứng đầu mã số hồ sơ "
                       "(Thông tư 01/2018/TT-VPCP). Chưa có mã: hồ sơ mang mã tạm 000.00.00.X00."))
    province = StringField(_l("Tỉnh/thành phố"), validators=[Optional(), Length(max=200)])
    postal_fee_note = TextAreaField(_l("Ghi chú phí bưu chính"), validators=[Optional(), Length(max=1000)])
    smtp_host = StringField(_l("Máy chủ thư (SMTP)"), validators=[Optional(), Length(max=200)])
    smtp_port = IntegerField(_l("Cổng SMTP"), validators=[Optional(), NumberRange(min=1, max=65535)])
    smtp_user = StringField(_l("Tài khoản SMTP"), validators=[Optional(), Length(max=200)])
    smtp_password = PasswordField(_l("Mật khẩu SMTP"), description=_l("Để trống để giữ mật khẩu đã lưu."),
                                  validators=[Optional(), Length(max=300)])
    smtp_from = StringField(_l("Địa chỉ gửi thư"), validators=[Optional(), Length(max=200)])
    sms_url = StringField(_l("Địa chỉ dịch vụ SMS"), validators=[Optional(), Length(max=500)])
    sms_auth = PasswordField(_l("Khóa xác thực SMS"), description=_l("Để trống để giữ khóa đã lưu."),
                             validators=[Optional(), Length(max=500)])
    draft_retention_days = IntegerField(
        _l("Giữ hồ sơ nháp (ngày)"), validators=[Optional(), NumberRange(1, 365)],
        description=_l("Hồ sơ chưa nộp được giữ chừng ấy ngày kể từ lần sửa cuối, rồi bị xóa cùng ảnh."))
    dossier_retention_years = IntegerField(
        _l("Lưu hồ sơ đã xong (năm)"), validators=[Optional(), NumberRange(1, 100)],
        description=_l("Sau chừng ấy năm kể từ khi trả kết quả, từ chối hoặc rút, ảnh và thông tin cá nhân "
                       "của hồ sơ bị xóa; mã hồ sơ, ngày tháng và số liệu vẫn giữ."))
    supplement_rule = RadioField(
        _l("Yêu cầu bổ sung lần hai"), default=SECOND_WITH_REASON,
        choices=[SelectChoice(SECOND_WITH_REASON, _l("Cho phép, nếu cán bộ ghi rõ lý do yêu cầu lần nữa")),
                 SelectChoice(ONCE_ONLY, _l("Không cho phép: mỗi hồ sơ chỉ được yêu cầu bổ sung một lần"))],
        description=_l("Quy định chỉ yêu cầu bổ sung một lần, ghi đủ mọi thứ còn thiếu."))
    clear_smtp_password = BooleanField(_l("Xóa mật khẩu SMTP đã lưu"))
    clear_sms_auth = BooleanField(_l("Xóa khóa SMS đã lưu"))
