"""The sync settings form (admin; its "Thử kết nối" button tests what is typed) and the retry button."""
from urllib.parse import urlparse

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, RadioField, StringField
from wtforms.validators import Length, Optional, Regexp, ValidationError

from ..core.forms import ButtonForm, CommuneForm
from .connection import ADAPTERS, DVCQG, NO_SECRET, SECRET_OK, SECRET_UNREADABLE
from .secret_box import endpoints

RETYPE_FOR_ADDRESS = _l("Địa chỉ kết nối đã thay đổi: hãy nhập lại mật khẩu / client secret. Mật khẩu đã lưu "
                        "chỉ được gửi tới địa chỉ đã lưu cùng với nó.")
RETYPE_UNREADABLE = _l("Không đọc được mật khẩu đã lưu (khóa bí mật của máy chủ đã thay đổi): hãy nhập lại "
                       "mật khẩu / client secret.")
SECRET_FOR_TEST = _l("Hãy nhập mật khẩu / client secret để thử kết nối.")
ADDRESSES_FOR_TEST = _l("Hãy nhập địa chỉ lấy phiên làm việc và địa chỉ gửi hồ sơ để thử kết nối.")


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

    def typed_secret(self):
        return "" if self.clear_secret.data else (self.secret.data or "").strip()

    def typed_endpoints(self):
        return endpoints(self.auth_url.data, self.url.data)

    def check_save(self, saved, in_use):
        """Saving: an address changed here needs the secret typed again (else the saved one stays,
        bound to its old addresses, and is not used). False, with the message on the field, if so."""
        typed = self.typed_endpoints()
        if (self.typed_secret() or self.clear_secret.data or saved.state == NO_SECRET or typed == in_use
                or not any(typed) or saved.for_endpoints(*typed)):
            return True
        self.secret.errors.append(RETYPE_FOR_ADDRESS if saved.state == SECRET_OK else RETYPE_UNREADABLE)
        return False

    def secret_for_test(self, saved):
        """Testing: the typed secret, else the saved one if it was typed for exactly these addresses;
        None, with the message on the field, when there is none to use."""
        if not all(self.typed_endpoints()):
            self.url.errors.append(ADDRESSES_FOR_TEST)
            return None
        if self.clear_secret.data:
            secret = ""
        else:
            secret = self.typed_secret() or saved.for_endpoints(*self.typed_endpoints())
        if secret:
            return secret
        if saved.state == SECRET_OK and not self.clear_secret.data:
            self.secret.errors.append(RETYPE_FOR_ADDRESS)
        elif saved.state == SECRET_UNREADABLE:
            self.secret.errors.append(RETYPE_UNREADABLE)
        else:
            self.secret.errors.append(SECRET_FOR_TEST)
        return None


class RetryForm(ButtonForm):
    """Send a failed record again."""
