"""The period picker (a GET form: no CSRF needed, nothing changes)."""
from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError

from ..core.forms import CommuneForm
from .periods import KINDS

MAX_PERIOD_DAYS = 5 * 366  # a custom period counts each month once: keep the first view bounded


class PeriodForm(CommuneForm):
    """The period of the figures. A custom period needs both days and at most five years; a bad
    choice is reported beside the picker and the figures fall back to the chosen kind's dates."""

    class Meta:
        csrf = False

    ky = SelectField(_l("Kỳ báo cáo"), choices=[SelectChoice(k, v) for k, v in KINDS.items()], default="thang-nay")
    tu = DateField(_l("Từ ngày"), validators=[Optional()])
    den = DateField(_l("Đến ngày"), validators=[Optional()])

    def validate_ky(self, field):
        if field.data == "tuy-chon" and not (self.tu.data and self.den.data):
            raise ValidationError(_l("Chọn cả ngày bắt đầu và ngày kết thúc."))
        if self.tu.data and self.den.data and abs((self.den.data - self.tu.data).days) > MAX_PERIOD_DAYS:
            raise ValidationError(_l("Chọn khoảng thời gian không quá 5 năm."))

    def period_dates(self):
        """(start, end) of a valid custom period, else (None, None)."""
        if self.errors or not (self.tu.data and self.den.data):
            return None, None
        return self.tu.data, self.den.data
