"""Forms of the submission journey, including the procedure form built from the catalog schema."""

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp, ValidationError

from ..core.forms import CommuneForm
from ..core.phone import CitizenId, PhoneNumber
from ..core.timeutil import local_today
from ..dossiers.models import HELPER_ROLE_LABELS, RESULT_AT_OFFICE, RESULT_BY_POST
from ..dossiers.questions import choice_pairs, usable_fields

CHOOSE = _l("Chọn một trong các câu trả lời có sẵn.")
EMAIL_RE = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
YES, NO = "yes", "no"


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class HoneypotMixin:
    # Hidden from people by CSS (class "hp"); a bot that fills every input gives itself away.
    website = StringField(_l("Để trống ô này"), filters=[_strip])

    def is_bot(self):
        return bool(self.website.data)


class DetailsForm(HoneypotMixin, CommuneForm):
    """Step 1: who is applying."""

    full_name = StringField(_l("Họ và tên"), filters=[_strip], validators=[
        DataRequired(_l("Nhập họ và tên của bạn.")), Length(max=200, message=_l("Họ tên quá dài."))],
        render_kw={"autocomplete": "name", "spellcheck": "false"})
    # Optional: many older villagers have no number in their own name. Without one (and without a
    # helper's), no SMS goes out and the receipt's key is the only way to open the dossier.
    phone = StringField(_l("Số điện thoại (không bắt buộc)"), filters=[_strip], validators=[
        Optional(), PhoneNumber()],
        description=_l("Ví dụ 0912 345 678. Không cần là số đứng tên bạn. Không có số điện thoại thì "
                       "không có tin nhắn: giữ kỹ biên nhận, mã tra cứu trên đó là cách duy nhất để xem hồ sơ."),
        render_kw={"autocomplete": "tel", "inputmode": "tel", "type": "tel"})
    id_number = StringField(_l("Số căn cước (CCCD)"), filters=[_strip], validators=[
        DataRequired(_l("Nhập số căn cước (CCCD) gồm 12 chữ số.")), CitizenId()],
        description=_l("12 chữ số in ở mặt trước thẻ căn cước."),
        render_kw={"inputmode": "numeric", "autocomplete": "off"})
    village = StringField(_l("Thôn / bản / tổ dân phố"), filters=[_strip], validators=[
        DataRequired(_l("Nhập thôn, bản hoặc tổ dân phố nơi bạn ở.")), Length(max=120)])
    address = StringField(_l("Địa chỉ"), filters=[_strip], validators=[
        DataRequired(_l("Nhập địa chỉ: số nhà (nếu có), xã/phường, tỉnh.")), Length(max=300)],
        description=_l("Số nhà (nếu có), xã/phường, tỉnh."), render_kw={"autocomplete": "street-address"})
    email = StringField(_l("Thư điện tử (không bắt buộc)"), filters=[_strip], validators=[
        Optional(), Length(max=200),
        Regexp(EMAIL_RE, message=_l("Địa chỉ thư điện tử chưa đúng, ví dụ ten@gmail.com."))],
        render_kw={"autocomplete": "email", "inputmode": "email", "type": "email"})
    # "Nộp thay": a relative or a village officer submits for the applicant above (templates:
    # submissions/_helper.html); the notices go to the helper's phone.
    for_someone = BooleanField(_l("Tôi nộp thay cho người khác"),
                               description=_l("Người thân, hoặc cán bộ thôn, bản nộp giúp. Thông tin ở trên là "
                                              "của người có hồ sơ."))
    helper_name = StringField(_l("Họ và tên người nộp thay"), filters=[_strip], validators=[
        Length(max=200, message=_l("Họ tên quá dài."))], render_kw={"autocomplete": "off", "spellcheck": "false"})
    helper_phone = StringField(_l("Số điện thoại người nộp thay"), filters=[_strip], validators=[PhoneNumber()],
                               description=_l("Tin nhắn về hồ sơ gửi đến số này."),
                               render_kw={"inputmode": "tel", "type": "tel", "autocomplete": "off"})
    helper_role = RadioField(_l("Người nộp thay là"), validate_choice=False,
                             choices=[SelectChoice(k, _l(v)) for k, v in HELPER_ROLE_LABELS.items()])
    helper_relation = StringField(_l("Quan hệ với người có hồ sơ (không bắt buộc)"), filters=[_strip],
                                  validators=[Length(max=100)],
                                  description=_l("Ví dụ: con trai, cháu nội, trưởng thôn."))

    HELPER_FIELDS = ("helper_name", "helper_phone", "helper_role", "helper_relation")

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if not self.for_someone.data:  # nobody helps: nothing of a helper is kept, whatever was typed
            for name in self.HELPER_FIELDS:
                self[name].data, self[name].errors = "", []
            others = [name for name in self._fields if name not in self.HELPER_FIELDS]
            return not self.form_errors and not any(self[name].errors for name in others)
        needed = {
            self.helper_name: _l("Nhập họ và tên người nộp thay."),
            self.helper_phone: _l("Nhập số điện thoại người nộp thay: tin nhắn về hồ sơ gửi đến số này."),
            self.helper_role: _l("Chọn người nộp thay là ai."),
        }
        for field, message in needed.items():
            if not field.data and not field.errors:
                field.errors.append(message)
                ok = False
        if self.helper_role.data and self.helper_role.data not in HELPER_ROLE_LABELS:
            self.helper_role.errors.append(CHOOSE)
            ok = False
        return ok


class ResultForm(CommuneForm):
    """How the villager gets the result: at the office or by post."""

    result_method = RadioField(_l("Bạn muốn nhận kết quả thế nào?"), choices=[
        SelectChoice(RESULT_AT_OFFICE, _l("Đến nhận tại Bộ phận Một cửa")),
        SelectChoice(RESULT_BY_POST, _l("Nhận tại nhà qua bưu điện (bưu chính công ích)")),
    ], validators=[InputRequired(_l("Chọn cách nhận kết quả."))],
        invalid_choice_message=_l("Chọn cách nhận kết quả."))
    delivery_name = StringField(_l("Người nhận"), filters=[_strip], validators=[Length(max=200)])
    delivery_phone = StringField(_l("Số điện thoại người nhận"), filters=[_strip], validators=[PhoneNumber()],
                                 render_kw={"inputmode": "tel", "type": "tel", "autocomplete": "tel"})
    delivery_village = StringField(_l("Thôn / bản / tổ dân phố"), filters=[_strip], validators=[Length(max=120)])
    delivery_address = StringField(_l("Địa chỉ nhận"), filters=[_strip], validators=[Length(max=300)],
                                   description=_l("Số nhà (nếu có), xã/phường, tỉnh."))
    delivery_note = StringField(_l("Ghi chú cho bưu tá (không bắt buộc)"), filters=[_strip],
                                validators=[Length(max=300)],
                                description=_l("Ví dụ: gần trường tiểu học, gọi trước khi đến."))

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.result_method.data == RESULT_BY_POST:
            needed = {
                self.delivery_name: _l("Nhập tên người nhận."),
                self.delivery_phone: _l("Nhập số điện thoại người nhận."),
                self.delivery_village: _l("Nhập thôn, bản hoặc tổ dân phố nơi nhận."),
                self.delivery_address: _l("Nhập địa chỉ nhận."),
            }
            for field, message in needed.items():
                if not field.data and not field.errors:
                    field.errors.append(message)
                    ok = False
        return ok


class UploadForm(CommuneForm):
    """One or more pages for one document (the no-JavaScript form and the script both post here)."""

    file = MultipleFileField(_l("Chọn ảnh hoặc tệp PDF"))


class SubmitForm(HoneypotMixin, CommuneForm):
    """The check page's final button."""

    submit_key = HiddenField()
    declaration = BooleanField(_l("Tôi cam đoan những thông tin trên là đúng sự thật."), validators=[
        DataRequired(_l("Đánh dấu vào ô cam đoan để nộp hồ sơ."))])


# --- the procedure's own questions, built from Procedure.form_fields -------------------------

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"]


def _non_negative(form, field):
    if field.data is not None and not 0 <= field.data <= 10**9:
        raise ValidationError(_l("Nhập một số từ 0 trở lên."))


def _not_in_future(form, field):

    if field.data and field.data > local_today():
        raise ValidationError(_l("Ngày này ở tương lai. Vui lòng kiểm tra lại."))


def _make_field(spec):
    kind = spec.get("type", "text")
    label = spec.get("label") or spec["name"]
    required = bool(spec.get("required"))
    help_text = spec.get("help") or ""
    if required:
        message = _l("Trả lời câu hỏi này: %(label)s.", label=label)
        check = [DataRequired(message) if kind in ("text", "textarea") else InputRequired(message)]
    else:
        check = [Optional()]
    if kind == "text":
        return StringField(label, filters=[_strip], validators=check + [Length(max=300)], description=help_text)
    if kind == "textarea":
        return TextAreaField(label, filters=[_strip], validators=check + [Length(max=3000)],
                             description=help_text)
    if kind == "date":
        extra = [_not_in_future] if spec.get("past") else []
        return DateField(label, validators=check + extra, description=help_text or _l("Ví dụ: 25/12/2024"),
                         format=DATE_FORMATS, render_kw={"type": "date"}, invalid_value_message=_l(
                             "Ngày chưa đúng. Nhập theo dạng ngày/tháng/năm, ví dụ 25/12/2024."))
    if kind == "number":
        return IntegerField(label, validators=check + [_non_negative], description=help_text,
                            render_kw={"inputmode": "numeric"},
            invalid_value_message=_l("Nhập một số (chỉ gồm chữ số)."))
    if kind == "choice":
        pairs = choice_pairs(spec)
        cls = RadioField if len(pairs) <= 4 else SelectField
        if cls is SelectField:
            pairs = [("", _l("— Chọn —"))] + pairs
        return cls(label, choices=[SelectChoice(v, lb) for v, lb in pairs], validators=check,
                   description=help_text, invalid_choice_message=CHOOSE)
    return RadioField(label, choices=[SelectChoice(YES, _l("Có")), SelectChoice(NO, _l("Không"))],
                      validators=check, description=help_text, invalid_choice_message=CHOOSE)


def build_fields_form(schema):
    """A CommuneForm class with one field per usable entry of the procedure's form_fields."""
    attrs = {spec["name"]: _make_field(spec) for spec in usable_fields(schema)}
    return type("ProcedureFieldsForm", (CommuneForm,), attrs)


def stored_value(spec, field):
    """What form_data keeps for one answer (JSON-friendly)."""
    data = field.data
    kind = spec.get("type", "text")
    if data in (None, ""):
        return None
    if kind == "date":
        return data.isoformat()
    if kind == "yesno":
        return data == YES
    return data


def form_value(spec, value):
    """The form's input value for a stored answer (to prefill the step)."""
    kind = spec.get("type", "text")
    if value is None:
        return None
    if kind == "date":

        try:
            return date.fromisoformat(value)
        except (TypeError, ValueError):
            return None
    if kind == "yesno":
        return YES if value else NO
    return value


def display_value(spec, value):
    """An answer as the check page and the clerk read it."""
    kind = spec.get("type", "text")
    if value is None or value == "":
        return ""
    if kind == "date":
        try:
            y, m, d = str(value).split("-")
            return f"{d}/{m}/{y}"
        except ValueError:
            return str(value)
    if kind == "yesno":
        return "Có" if value else "Không"
    if kind == "choice":
        return dict(choice_pairs(spec)).get(str(value), str(value))
    return str(value)
