"""Inbox forms: the list's filters (GET) and one small form per dossier action (POST, with CSRF)."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms import widgets as w
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..core.forms import CommuneForm
from ..core.numbers import ascii_int
from ..dossiers.models import CHANNEL_LABELS
from ..web.converters import DB_INT_MAX, db_id
from .queries import assignable_user


class MultiCheckboxField(SelectMultipleField):
    """Several checkboxes (one per choice) instead of a multi-select box."""

    widget = w.ListWidget(prefix_label=False)
    option_widget = w.CheckboxInput()


def _required(message):
    return [DataRequired(message)]


class FilterForm(CommuneForm):
    """The inbox's tabs, filters, search and sort, read from the query string (no CSRF: a GET)."""

    class Meta:
        csrf = False

    tab = HiddenField()
    q = StringField(_l("Tìm mã hồ sơ, tên, số điện thoại, CCCD"), validators=[Optional(), Length(max=100)])
    field = SelectField(_l("Lĩnh vực"), coerce=str, validators=[Optional()], validate_choice=False)
    procedure = SelectField(_l("Thủ tục"), coerce=str, validators=[Optional()], validate_choice=False)
    channel = SelectField(_l("Kênh nộp"), validators=[Optional()], validate_choice=False,
                          choices=[("", _l("Mọi kênh"))] + [(k, _l(v)) for k, v in CHANNEL_LABELS.items()])
    assignee = SelectField(_l("Người xử lý"), coerce=str, validators=[Optional()], validate_choice=False)
    date_from = DateField(_l("Nộp từ ngày"), validators=[Optional()])
    date_to = DateField(_l("đến ngày"), validators=[Optional()])
    sort = SelectField(_l("Sắp xếp"), validators=[Optional()], validate_choice=False)
    page = IntegerField(validators=[Optional()])
    figure = HiddenField()  # the dossiers behind a figure of the reports (filtering.FIGURES), in start..end
    start = DateField(validators=[Optional()])
    end = DateField(validators=[Optional()])


class ActionForm(CommuneForm):
    """Every action carries the version of the dossier the clerk saw and the last event they saw."""

    version = HiddenField()
    seen = HiddenField()

    def _check_counter(self, field):
        # Hidden, but sent by the browser: only digits a database integer can hold.
        if field.data and ascii_int(field.data, DB_INT_MAX) is None:
            raise ValidationError(_l("Trang này đã cũ. Vui lòng tải lại hồ sơ rồi làm lại."))

    validate_version = _check_counter
    validate_seen = _check_counter

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        # The fields are hidden: say it where the clerk sees it.
        for message in {*self.version.errors, *self.seen.errors}:
            self.form_errors.append(message)
        return valid


class ReceiveForm(ActionForm):
    pass


class StartForm(ActionForm):
    note = StringField(_l("Ghi chú (không bắt buộc)"), validators=[Optional(), Length(max=500)])


class ReadyForm(ActionForm):
    note = TextAreaField(_l("Ghi chú kết quả (không bắt buộc)"), validators=[Optional(), Length(max=2000)])
    result = MultipleFileField(_l("Bản điện tử của kết quả: tệp PDF, hoặc ảnh chụp bản giấy đã ký"),
                               description=_l("Người dân tải về trên trang tra cứu bằng mã tra cứu. Kết quả "
                                              "nhiều trang thì chọn nhiều ảnh. Không bắt buộc."))


class ReturnForm(ActionForm):
    collected_by = StringField(_l("Người nhận kết quả"), validators=_required(_l("Ghi tên người nhận kết quả.")) + [
        Length(max=200)])
    note = StringField(_l("Ghi chú (không bắt buộc)"), validators=[Optional(), Length(max=500)])


class SupplementForm(ActionForm):
    items = MultiCheckboxField(_l("Giấy tờ còn thiếu hoặc chưa đạt"), coerce=int, validate_choice=False)
    other = StringField(_l("Giấy tờ khác còn thiếu"), validators=[Optional(), Length(max=300)])
    message = TextAreaField(_l("Nội dung yêu cầu (một lần, ghi đủ mọi thứ cần bổ sung)"),
                            validators=_required(_l("Ghi nội dung yêu cầu bổ sung.")) + [Length(max=3000)])
    reason_for_another = TextAreaField(_l("Lý do phải yêu cầu bổ sung lần nữa"),
                                       validators=[Optional(), Length(max=1000)])

    def set_documents(self, dossier):
        documents = (dossier.procedure_snapshot or {}).get("documents") or []
        self.items.choices = [(i, doc.get("name", "")) for i, doc in enumerate(documents)]

    def missing_items(self, dossier):
        """[{"document_index": i, "label": name}] for each ticked document, plus the free text."""
        documents = (dossier.procedure_snapshot or {}).get("documents") or []
        items = [{"document_index": i, "label": documents[i].get("name", "")}
                 for i in (self.items.data or []) if 0 <= i < len(documents)]
        if (self.other.data or "").strip():
            items.append({"document_index": None, "label": self.other.data.strip()})
        return items


class AssignForm(ActionForm):
    assignee = SelectField(_l("Giao cho"), coerce=db_id, validate_choice=False,
                           validators=_required(_l("Chọn người xử lý.")))

    def set_staff(self, staff):
        self.assignee.choices = [(u.id, f"{u.full_name or u.username} ({u.role_label})") for u in staff]

    def assignee_user(self):

        return assignable_user(self.assignee.data)

    def validate_assignee(self, field):

        if self.assignee_user() is None:
            raise ValidationError(_l("Chọn một chuyên viên hoặc cán bộ đang làm việc."))


class ApologyForm(ActionForm):
    new_due = DateField(_l("Ngày hẹn trả mới"), validators=_required(_l("Chọn ngày hẹn trả mới.")))
    reason = TextAreaField(_l("Lý do chậm trễ"), validators=_required(_l("Ghi lý do chậm trễ.")) + [
        Length(max=2000)])


class RefuseForm(ActionForm):
    reason = TextAreaField(_l("Lý do từ chối"), validators=_required(_l("Ghi lý do từ chối.")) + [
        Length(max=2000)])


class WithdrawForm(ActionForm):
    reason = TextAreaField(_l("Người dân đề nghị rút hồ sơ vì"),
                           validators=_required(_l("Ghi lý do người dân rút hồ sơ.")) + [Length(max=1000)])


class MessageForm(ActionForm):
    text = TextAreaField(_l("Nhắn người dân (hiện trên trang tra cứu)"),
                         validators=_required(_l("Ghi nội dung tin nhắn.")) + [Length(max=2000)])


class NoteForm(ActionForm):
    text = TextAreaField(_l("Ghi chú nội bộ (người dân không thấy)"),
                         validators=_required(_l("Ghi nội dung ghi chú.")) + [Length(max=2000)])


class ChecklistForm(ActionForm):
    checked = MultiCheckboxField(_l("Đã kiểm tra"), coerce=int, validate_choice=False)

    def set_documents(self, dossier):
        documents = (dossier.procedure_snapshot or {}).get("documents") or []
        self.checked.choices = [(i, doc.get("name", "")) for i, doc in enumerate(documents)]


class SeenForm(ActionForm):
    pass


class BulkAssignForm(CommuneForm):
    """Assign several selected rows at once (each row carries its version as v-<id>)."""

    ids = SelectMultipleField(coerce=db_id, validate_choice=False)
    assignee = SelectField(_l("Giao cho"), coerce=db_id, validate_choice=False,
                           validators=_required(_l("Chọn người xử lý.")))
    back = HiddenField()  # the list the clerk came from (only an inbox address is followed)

    def process(self, formdata=None, *args, **kwargs):
        formdata = self.meta.wrap_formdata(self, formdata)
        super().process(formdata, *args, **kwargs)
        # One hidden v-<id> per row (the version the clerk saw); rows are dynamic, so not fields.
        self.seen_versions = {key[2:]: value for key, value in (formdata or {}).items()
                              if isinstance(key, str) and key.startswith("v-")}

    def seen_version(self, dossier):
        """The version of `dossier` the clerk saw on the list, or None when the row sent none."""
        return self.seen_versions.get(str(dossier.id))

    def back_url(self, default):
        back = self.back.data or ""
        return back if back.startswith("/hop-thu") else default


class BulkReceiveForm(BulkAssignForm):
    """Receive several selected rows at once (the list's form, sent to another address)."""

    assignee = None  # the list's assignee menu is not this action's


class PrintManyForm(CommuneForm):
    """The dossiers whose sheets go into one print job (a GET: no CSRF, nothing changes)."""

    class Meta:
        csrf = False

    ids = SelectMultipleField(coerce=db_id, validate_choice=False)


class ReadyTextPickForm(CommuneForm):
    """The ready-made text picked in a supplement-request or refusal form (inbox/ready_texts.py);
    sent with that form, under its prefix, to the address that puts the text into the box."""

    ready_text = SelectField(_l("Mẫu câu có sẵn"), coerce=db_id, validate_choice=False,
                             validators=_required(_l("Chọn một mẫu câu.")))
