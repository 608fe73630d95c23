"""Forms of the carrier's round: a record sent from the phone, the hand-back confirmation."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileSize
from wtforms import IntegerField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from ..core.forms import CommuneForm
from ..core.i18n import N_
from .models import ACTION_DELIVERED, ACTION_FAILED, FAIL_REASONS
from .offline import KINDS, MAX_PHOTO_BYTES, MAX_SIGNATURE_BYTES

# Who took the result in the villager's place (msgids; the phone shows them through the page).
RELATIONS = {
    "spouse": N_("Vợ / chồng"),
    "child": N_("Con"),
    "parent": N_("Bố / mẹ"),
    "sibling": N_("Anh / chị / em"),
    "neighbour": N_("Hàng xóm"),
    "other": N_("Khác"),
}
IMAGE_TYPES = ["jpg", "jpeg", "png", "webp"]


class RecordForm(CommuneForm):
    """One record made on the phone (sent as multipart form data by carrier-round.js)."""

    client_id = StringField(validators=[InputRequired(_l("Thiếu mã ghi nhận.")),
                                        Regexp(r"^[A-Za-z0-9_-]{16,48}$", message=_l("Mã ghi nhận không hợp lệ."))])
    item_id = IntegerField(validators=[InputRequired(_l("Thiếu bưu gửi.")),
                                       NumberRange(min=1, max=2**31 - 1, message=_l("Thiếu bưu gửi."))])
    kind = SelectField(choices=[(k, k) for k in KINDS], validators=[InputRequired(_l("Thiếu loại ghi nhận."))])
    happened_at = IntegerField(validators=[InputRequired(_l("Thiếu thời điểm ghi nhận.")),
                                           NumberRange(min=0, max=2**53, message=_l("Thời điểm không hợp lệ."))])
    reason = SelectField(choices=[("", "")] + [(k, k) for k in FAIL_REASONS], validators=[Optional()])
    note = TextAreaField(validators=[Length(max=300)])
    receiver = SelectField(choices=[("self", "self"), ("relative", "relative")], default="self",
                           validators=[Optional()])
    relative_name = StringField(validators=[Length(max=200)])
    relation = SelectField(choices=[("", "")] + [(k, k) for k in RELATIONS], validators=[Optional()])
    fee_collected = SelectField(choices=[("no", "no"), ("yes", "yes")], default="no", validators=[Optional()])
    fee_amount = IntegerField(validators=[Optional(), NumberRange(min=0, max=100_000_000,
                                                                  message=_l("Số tiền không hợp lệ."))])
    photo = FileField(validators=[
        FileAllowed(IMAGE_TYPES, _l("Chỉ nhận ảnh (JPG, PNG).")),
        FileSize(MAX_PHOTO_BYTES, message=_l("Ảnh quá lớn (tối đa %(kb)s KB).", kb=MAX_PHOTO_BYTES // 1024))])
    signature = FileField(validators=[
        FileAllowed(["png"], _l("Chữ ký phải là ảnh PNG.")),
        FileSize(MAX_SIGNATURE_BYTES, message=_l("Chữ ký quá lớn (tối đa %(kb)s KB).",
                                                 kb=MAX_SIGNATURE_BYTES // 1024))])

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        kind = self.kind.data
        if kind == ACTION_FAILED and not self.reason.data:
            self.reason.errors.append(_l("Chọn lý do."))
            ok = False
        if kind == ACTION_FAILED and self.reason.data == "other" and not (self.note.data or "").strip():
            self.note.errors.append(_l("Ghi rõ lý do."))
            ok = False
        if kind == ACTION_DELIVERED:
            if self.receiver.data == "relative" and not (self.relative_name.data or "").strip():
                self.relative_name.errors.append(_l("Ghi tên người nhận thay."))
                ok = False
            if self.receiver.data == "relative" and not self.relation.data:
                self.relation.errors.append(_l("Chọn quan hệ với người nhận."))
                ok = False
            if not _has_file(self.signature.data):
                self.signature.errors.append(_l("Cần chữ ký của người nhận."))
                ok = False
        return ok

    def record(self):
        """The validated fields, as offline.store() reads them."""
        return {name: self[name].data for name in (
            "client_id", "item_id", "kind", "happened_at", "reason", "note", "receiver", "relative_name",
            "relation", "fee_collected", "fee_amount")} | {"note": (self.note.data or "").strip()}

    def first_error(self):
        for errors in self.errors.values():
            for error in errors:
                return str(error)
        return ""


def _has_file(upload):
    return bool(upload and getattr(upload, "filename", ""))


def read_upload(upload, default_name):
    """(bytes, filename) of an uploaded file, or None."""
    if not _has_file(upload):
        return None
    return upload.read(), upload.filename or default_name


class HandBackForm(CommuneForm):
    """The office confirms what the carrier handed back: the cash (as counted) and the returned items."""

    cash_received = IntegerField(_l("Số tiền đã nhận (đồng)"),
                                 validators=[InputRequired(_l("Nhập số tiền đã nhận.")),
                                             NumberRange(min=0, max=1_000_000_000,
                                                         message=_l("Số tiền không hợp lệ."))])
    returned_ok = RadioField(_l("Đã nhận đủ các bưu gửi trả về?"), choices=[
        SelectChoice("yes", _l("Đã nhận đủ")), SelectChoice("no", _l("Thiếu (ghi rõ bên dưới)"))],
        default="yes", validators=[InputRequired(_l("Chọn đã nhận đủ hay chưa."))])
    note = TextAreaField(_l("Ghi chú"), validators=[Length(max=300)])

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.returned_ok.data == "no" and not (self.note.data or "").strip():
            self.note.errors.append(_l("Ghi rõ bưu gửi nào còn thiếu."))
            ok = False
        return ok
