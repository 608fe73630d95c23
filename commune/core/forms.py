"""The base form classes: WTForms' own messages in Vietnamese.

WTForms ships no Vietnamese, so a field without a message of ours ("Not a valid integer
value.", "Field cannot be longer than 120 characters.") would answer a villager in English.
Every form of the site derives from CommuneForm (CSRF included) or, inside a FieldList,
CommuneSubForm; both translate WTForms' messages through our own catalog: the Vietnamese
text is the message id, and English visitors get its English entry.

Both also clean every text a visitor types before any other filter or validator sees it
(commune/core/text_safety.py): NFC, no bidi controls, no invisible characters. A
StringField (and its kinds: hidden, search, e-mail…) is one line; a TextAreaField keeps
its line breaks. Passwords are left exactly as typed.

Numbers are read in one place too. Every IntegerField of a form is bound as ours (`IntegerField`
below) and every `coerce=int` becomes `choice_int`: ASCII digits only (int() reads "٣" or "３"
as 3; "²" passes isdigit() and then int() raises) and only what a database INTEGER holds, so
`position=10**20` is a validation error where it was an OverflowError (a 500) at the save.
And a form reads only what a browser sends, urlencoded or multipart: Flask-WTF would read a
JSON body as form data, numbers and lists where every field expects text (no form of ours is
posted as JSON; the carrier's phone posts FormData), and a file part sent under a text field's
name reached that field as a FileStorage. (A file field inside a FormField row would get no
file: the site has none.)
"""
import re

from flask import request
from flask_babel import gettext
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto  # FlaskForm's default `formdata`: "read it from the request"
from markupsafe import Markup, escape
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from wtforms import FileField as WTFormsFileField
from wtforms import Form, PasswordField, StringField, TextAreaField
from wtforms import IntegerField as WTFormsIntegerField
from wtforms.fields.choices import SelectFieldBase
from wtforms.fields.core import UnboundField
from wtforms.validators import NumberRange
from wtforms.widgets import Select

from .i18n import N_
from .numbers import ascii_int
from .text_safety import clean_line, clean_text

DB_INT_MAX = 2**31 - 1  # PostgreSQL INTEGER, the type of every number column of ours (SQLite's is wider)
_SIGNED_DIGITS = re.compile(r"[+-]?[0-9]+")
_NOT_AN_INTEGER, _INVALID = "Not a valid integer value.", "Invalid input."  # WTForms' msgids, see MESSAGES

# WTForms' message (its msgid) -> ours. Placeholders stay as WTForms fills them in.
MESSAGES = {
    "This field is required.": N_("Mục này cần điền."),
    "Invalid input.": N_("Giá trị không hợp lệ."),
    "Invalid email address.": N_("Địa chỉ thư điện tử không đúng."),
    "Invalid URL.": N_("Địa chỉ trang web không đúng."),
    "Not a valid choice.": N_("Lựa chọn không hợp lệ."),
    "Invalid Choice: could not coerce.": N_("Lựa chọn không hợp lệ."),
    "Invalid choice(s): one or more data inputs could not be coerced.": N_("Lựa chọn không hợp lệ."),
    "Not a valid integer value.": N_("Hãy nhập một số (chỉ chữ số)."),
    "Not a valid decimal value.": N_("Hãy nhập một số."),
    "Not a valid float value.": N_("Hãy nhập một số."),
    "Not a valid date value.": N_("Ngày không đúng. Ví dụ: 25/12/2024."),
    "Not a valid datetime value.": N_("Ngày giờ không đúng."),
    "Not a valid time value.": N_("Giờ không đúng. Ví dụ: 15:00."),
    "Number must be at least %(min)s.": N_("Số phải từ %(min)s trở lên."),
    "Number must be at most %(max)s.": N_("Số không được quá %(max)s."),
    "Number must be between %(min)s and %(max)s.": N_("Số phải từ %(min)s đến %(max)s."),
    "Date must be at least %(min)s.": N_("Ngày phải từ %(min)s trở đi."),
    "Date must be at most %(max)s.": N_("Ngày không được sau %(max)s."),
    "Date must be between %(min)s and %(max)s.": N_("Ngày phải từ %(min)s đến %(max)s."),
    "Field must be between %(min)d and %(max)d characters long.": N_("Cần từ %(min)d đến %(max)d ký tự."),
    "Field must be equal to %(other_name)s.": N_("Phải trùng với %(other_name)s."),
}
# Vietnamese has one form where English has two: keyed by WTForms' singular.
PLURAL_MESSAGES = {
    "Field must be at least %(min)d character long.": N_("Cần ít nhất %(min)d ký tự."),
    "Field cannot be longer than %(max)d character.": N_("Không được dài quá %(max)d ký tự."),
    "Field must be exactly %(max)d character long.": N_("Cần đúng %(max)d ký tự."),
    "'%(value)s' is not a valid choice for this field.": N_("'%(value)s' không phải là lựa chọn hợp lệ."),
}


class _Translations:
    """The `translations` object WTForms asks for its messages."""

    def gettext(self, string):
        ours = MESSAGES.get(string)
        return gettext(ours) if ours else string

    def ngettext(self, singular, plural, n):
        ours = PLURAL_MESSAGES.get(singular)
        return gettext(ours) if ours else (singular if n == 1 else plural)


TRANSLATIONS = _Translations()


def text_filter(field):
    """The cleaning filter for a bound field: clean_text, clean_line, or None (passwords, non-text)."""
    if isinstance(field, PasswordField) or not isinstance(field, StringField):
        return None
    return clean_text if isinstance(field, TextAreaField) else clean_line


class QuickSelect(Select):
    """WTForms' <select>, the same HTML, with each plain option written directly: WTForms builds
    each option's attributes through its general html_params, which made the inbox's filters (a
    hundred procedures) cost more than its list of fifty dossiers."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw:
            return super().render_option(choice, **kwargs)
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        selected = "selected " if choice.selected else ""  # html_params sorts: selected, then value
        return Markup(f'<option {selected}value="{escape(value)}">{escape(choice.label or choice.value)}</option>')


QUICK_SELECT = QuickSelect()


def choice_int(value):
    """`coerce=int`'s stand-in: a choice sent as a number is ASCII digits, 0 .. DB_INT_MAX; else ValueError
    (WTForms' "not a valid choice"). The choices' own values, ints already, pass as they are."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    number = ascii_int(value.strip(), DB_INT_MAX) if isinstance(value, str) else None
    if number is None:
        raise ValueError("not a number a database column holds")
    return number


class IntegerField(WTFormsIntegerField):
    """WTForms' IntegerField, reading only ASCII digits (a sign and spaces around allowed) and only a
    number a database INTEGER holds, or up to the wider maximum its NumberRange declares (the
    carrier's phone sends its clock in milliseconds); anything else is the field's error, the
    typed text kept."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        self.data = None
        text = valuelist[0].strip() if isinstance(valuelist[0], str) else ""
        if not _SIGNED_DIGITS.fullmatch(text):
            raise ValueError(self.invalid_value_message or self.gettext(_NOT_AN_INTEGER))
        limit = max([DB_INT_MAX, *(v.max for v in self.validators if isinstance(v, NumberRange) and v.max)])
        number = ascii_int(text.lstrip("+-"), limit)
        if number is None:  # more than the database holds
            raise ValueError(self.gettext(_INVALID))
        self.data = -number if text.startswith("-") else number


class _CommuneMeta:
    """Messages in the visitor's language, every typed text cleaned first, numbers read strictly, quick <select>s."""

    def get_translations(self, form):
        return TRANSLATIONS

    def bind_field(self, form, unbound_field, options):
        if unbound_field.field_class is WTFormsIntegerField:  # a form that imported WTForms' own
            unbound_field = UnboundField(IntegerField, *unbound_field.args, name=unbound_field.name,
                                         **unbound_field.kwargs)
        field = super().bind_field(form, unbound_field, options)
        cleaner = text_filter(field)
        if cleaner is not None:
            field.filters = (cleaner, *field.filters)
        if isinstance(field, SelectFieldBase) and getattr(field, "coerce", None) is int:
            field.coerce = choice_int
        if type(field.widget) is Select and not field.widget.multiple:
            field.widget = QUICK_SELECT
        return field


class CommuneForm(FlaskForm):
    """A form of the site: CSRF-protected, WTForms' messages in the visitor's language, typed text cleaned."""

    class Meta(_CommuneMeta):
        def wrap_formdata(self, form, formdata):
            """Flask-WTF's, without its reading of a JSON body as the form's data, with a file only
            where the form has a file field (a text field sent as a file part gets no value), and
            without a part whose name could not be read (a browser always names each part)."""
            if formdata is not _Auto or not form.is_submitted():
                return super().wrap_formdata(form, formdata)
            file_fields = {field.name for field in form if isinstance(field, WTFormsFileField)}
            files = [(name, part) for name, part in request.files.items(multi=True) if name in file_fields]
            fields = request.form
            if None in fields:  # a multipart part named "\r": WTForms' lists would fail on it
                fields = MultiDict([(name, value) for name, value in fields.items(multi=True) if name is not None])
            if files:
                return CombinedMultiDict((MultiDict(files), fields))
            return fields or None  # None: nothing a browser's form sends, so each field its default


class CommuneSubForm(Form):
    """A repeated row inside a CommuneForm (FieldList/FormField), with the same messages and cleaning."""

    class Meta(_CommuneMeta):
        pass


class ButtonForm(CommuneForm):
    """A one-click button (confirm, delete, continue): nothing to fill in, only CSRF."""
