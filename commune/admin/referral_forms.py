"""The admin's form for a need another office handles (catalog/referrals.py)."""
import re

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from ..catalog.referrals import Referral
from ..catalog.text import normalise
from ..core.forms import CommuneForm
from ..extensions import db

_SEPARATORS = re.compile(r"[\n;]")


def split_phrases(text):
    """One phrase a line (or separated by ';'), blanks and repeats (accent-free alike) dropped."""
    phrases, seen = [], set()
    for part in _SEPARATORS.split(text or ""):
        part = " ".join(part.split())
        if part and normalise(part) not in seen:
            seen.add(normalise(part))
            phrases.append(part)
    return phrases


class ReferralForm(CommuneForm):
    phrases = TextAreaField(
        _l("Cụm từ người dân gõ"), validators=[DataRequired(), Length(max=2000)],
        description=_l("Mỗi dòng một cụm từ, có dấu hay không dấu đều được, ví dụ: tạm trú. "
                       "Khi câu tìm kiếm chứa một cụm từ này, trang tìm kiếm chỉ đến nơi làm việc."))
    office = StringField(_l("Nơi làm việc này"), validators=[DataRequired(), Length(max=300)],
                         description=_l("Ví dụ: Công an xã (phường) nơi bạn ở"))
    sentence = TextAreaField(_l("Lời giải thích cho người dân"), validators=[DataRequired(), Length(max=1000)],
                             description=_l("Một hai câu dễ hiểu: ai làm việc này, làm ở đâu, nộp trực tuyến thế nào."))
    address = StringField(_l("Địa chỉ"), validators=[Optional(), Length(max=500)])
    phone = StringField(_l("Điện thoại"), validators=[
        Optional(), Length(max=60),
        Regexp(r"^[0-9 .()+-]+$", message=_l("Chỉ dùng chữ số, dấu cách, dấu chấm, dấu gạch ngang."))])
    url = StringField(_l("Trang web"), validators=[
        Optional(), Length(max=500),
        Regexp(r"^https?://[^\s/$.?#][^\s]*$", flags=re.IGNORECASE,
               message=_l("Địa chỉ trang web bắt đầu bằng https:// hoặc http://"))])
    position = IntegerField(_l("Thứ tự"), default=0, validators=[Optional(), NumberRange(min=0, max=10000)])

    editing = None  # the Referral being edited (None for a new one): its own phrases are no clash

    def validate_phrases(self, field):
        phrases = split_phrases(field.data)
        if not phrases:
            raise ValidationError(_l("Nhập ít nhất một cụm từ."))
        empty = [p for p in phrases if not normalise(p)]
        if empty:
            raise ValidationError(_l("Cụm từ “%(p)s” không có chữ nào.", p=empty[0]))
        mine = {normalise(p) for p in phrases}
        others = db.session.scalars(sa.select(Referral).where(Referral.id != getattr(self.editing, "id", 0))).all()
        for other in others:
            clash = mine & set(other.folded_phrases)
            if clash:
                raise ValidationError(_l("Cụm từ “%(p)s” đã có ở mục “%(o)s”.", p=sorted(clash)[0], o=other.office))
