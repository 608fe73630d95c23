"""The admin's form for a ready-made text of the supplement-request and refusal forms."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from ..catalog.models import Procedure
from ..core.forms import CommuneForm, choice_int
from ..extensions import db
from ..inbox.ready_texts import KINDS, MAX_BODY, ReadyText


def _procedure_id(value):
    """'' (every procedure) -> None, else the id (ASCII digits a database id holds, else ValueError)."""
    if value in (None, "", "None"):
        return None
    return choice_int(value)


class ReadyTextForm(CommuneForm):
    kind = SelectField(_l("Dùng trong"), choices=list(KINDS.items()),
                       validators=[DataRequired(_l("Chọn loại mẫu câu."))])
    procedure = SelectField(_l("Thủ tục"), coerce=_procedure_id, validate_choice=False,
                            description=_l("Để “Mọi thủ tục” nếu mẫu dùng chung cho cả xã."))
    title = StringField(_l("Tên ngắn (hiện trong danh sách chọn)"),
                        validators=[DataRequired(_l("Ghi tên ngắn của mẫu câu.")), Length(max=200)])
    body = TextAreaField(_l("Nội dung mẫu câu"), validators=[DataRequired(_l("Ghi nội dung mẫu câu.")),
                                                             Length(max=MAX_BODY)],
                         description=_l("Viết như gửi người dân: rõ ràng, lịch sự, nói cần làm gì. "
                                        "Cán bộ sửa lại cho đúng từng hồ sơ trước khi gửi."))
    position = IntegerField(_l("Thứ tự"), default=0, validators=[Optional(), NumberRange(min=0, max=10000)])

    editing = None  # the ReadyText being edited (None for a new one)

    def set_procedures(self):
        procedures = db.session.execute(sa.select(Procedure.id, Procedure.name).order_by(Procedure.name)).all()
        self.procedure.choices = [("", _l("Mọi thủ tục (dùng chung)"))] + [(i, n) for i, n in procedures]

    def validate_procedure(self, field):
        if field.data is not None and db.session.get(Procedure, field.data) is None:
            raise ValidationError(_l("Chọn một thủ tục trong danh sách."))

    def validate_title(self, field):
        if self.kind.data not in KINDS:  # the kind's own error says it; nothing to compare with
            return
        # Compared in Python: SQLite's lower() leaves Vietnamese capitals ("Ả") as they are.
        title = " ".join((field.data or "").split())
        same_place = ReadyText.procedure_id.is_(None) if self.procedure.data is None else (
            ReadyText.procedure_id == self.procedure.data)
        others = db.session.scalars(sa.select(ReadyText.title).where(
            ReadyText.kind == self.kind.data, same_place, ReadyText.id != getattr(self.editing, "id", 0)))
        if any(" ".join(other.split()).casefold() == title.casefold() for other in others):
            raise ValidationError(_l("Đã có mẫu câu tên “%(t)s” cho loại và thủ tục này.", t=title))
