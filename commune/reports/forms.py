"""The period picker (a GET form: no CSRF needed, nothing changes)."""
from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from ..core.forms import CommuneForm
from .periods import KINDS


class PeriodForm(CommuneForm):
    class Meta:
        csrf = False

    ky = SelectField(_l("Kỳ báo cáo"), choices=[SelectChoice(k, v) for k, v in KINDS.items()], default="thang-nay")
    tu = DateField(_l("Từ ngày"), validators=[Optional()])
    den = DateField(_l("Đến ngày"), validators=[Optional()])
