"""The quick <select> writes exactly what WTForms' own widget writes (selected, escaped, attributes)."""
from wtforms import Form, SelectField
from wtforms.widgets import Select

from commune.core.forms import CommuneSubForm, QuickSelect


class Choices(Form):
    plain = SelectField(choices=[("", "Mọi thủ tục"), ("7", "Đăng ký <khai sinh> & hộ tịch"), (True, "có")],
                        default="7")
    marked = SelectField(choices=[("a", "A", {"data-x": "1"}), ("b", "B")], default="b")


def test_every_option_is_written_as_wtforms_writes_it():
    form = Choices()
    for field in (form.plain, form.marked):
        assert QuickSelect()(field) == Select()(field)
        assert QuickSelect()(field, class_="auto-filter", required=True) == Select()(field, class_="auto-filter",
                                                                                     required=True)
    assert '<option selected value="7">Đăng ký &lt;khai sinh&gt; &amp; hộ tịch</option>' in QuickSelect()(form.plain)


def test_the_sites_forms_use_it_for_single_selects(app):
    class Pick(CommuneSubForm):
        one = SelectField(choices=[("1", "Một")])

    with app.test_request_context():
        assert isinstance(Pick().one.widget, QuickSelect)
