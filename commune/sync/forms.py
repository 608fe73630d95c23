"""The sync settings form (admin) and the one-click buttons (retry, test the connection)."""
from urllib.parse import urlparse

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, RadioField, StringField
from wtforms.validators import Length, Optional, Regexp, ValidationError

from ..core.forms import ButtonForm, CommuneForm
from .connection import ADAPTERS, DVCQG


def _http_url(form, field):
    value = (field.data or "").strip()
    if not value:
        return
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValidationError(_l("Địa chỉ phải bắt đầu bằng https:// (hoặc http://) và có tên máy chủ."))


class SyncSettingsForm(CommuneForm):
    enabled = BooleanField(_l("Bật đồng bộ hồ sơ lên hệ thống một cửa của tỉnh / Cổng Dịch vụ công quốc gia"))
    adapter = RadioField(_l("Kiểu kết nối"), default=DVCQG, choices=[(k, _l(v)) for k, v in ADAPTERS.items()])
    auth_url = StringField(_l("Địa chỉ lấy phiên làm việc / token"),
                           validators=[Optional(), Length(max=500), _http_url])
    url = StringField(_l("Địa chỉ gửi hồ sơ"), validators=[Optional(), Length(max=500), _http_url],
                      description=_l("DVCQG: địa chỉ nhận các dịch vụ (DongBoHoSoMC…). LGSP: địa chỉ gốc, "
                                     "trước /Document/SyncDocument."))
    username = StringField(_l("Tên đăng nhập / client id"), validators=[Optional(), Length(max=200)])
    secret = PasswordField(_l("Mật khẩu / client secret mới"), validators=[Optional(), Length(max=500)],
                           description=_l("Để trống để giữ mật khẩu đã lưu."))
    clear_secret = BooleanField(_l("Xóa mật khẩu đã lưu"))
    unit_code = StringField(_l("Mã đơn vị của xã (mã định danh cơ quan)"),
                            validators=[Optional(), Length(max=60),
                                        Regexp(r"^[A-Za-z0-9._-]*$",
                                               message=_l("Chỉ dùng chữ không dấu, số, dấu chấm và gạch."))])


class RetryForm(ButtonForm):
    """Send a failed record again."""


class TestConnectionForm(ButtonForm):
    """Run the session / token call with the saved settings."""
