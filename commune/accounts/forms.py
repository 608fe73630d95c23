"""Login and password forms."""
from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from ..core.forms import CommuneForm


class LoginForm(CommuneForm):
    username = StringField(_l("Tên đăng nhập"), validators=[DataRequired(_l("Nhập tên đăng nhập."))])
    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired(_l("Nhập mật khẩu."))])


class ChangePasswordForm(CommuneForm):
    current = PasswordField(_l("Mật khẩu hiện tại"), validators=[DataRequired(_l("Nhập mật khẩu hiện tại."))])
    new = PasswordField(_l("Mật khẩu mới"), validators=[
        DataRequired(_l("Nhập mật khẩu mới.")),
        Length(min=8, message=_l("Mật khẩu mới cần ít nhất 8 ký tự.")),
    ])
    confirm = PasswordField(_l("Nhập lại mật khẩu mới"), validators=[
        EqualTo("new", message=_l("Hai mật khẩu không giống nhau.")),
    ])
