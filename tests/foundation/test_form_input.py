"""What a form reads: only what a browser's form sends, and numbers as a person types them.

The outside fuzz's three classes of 500: a JSON body (numbers and lists where text is expected),
a number past what the database holds (`position=10**20`), Unicode digits ("²", "٣", "３").
Each is now the form's own answer in Vietnamese, with what was typed kept.
"""
import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict
from wtforms import FormField, IntegerField, SelectField, SelectMultipleField, StringField

from commune.catalog.models import Field
from commune.core.forms import CommuneForm, CommuneSubForm
from commune.extensions import db
from commune.inbox.ready_texts import ReadyText
from tests.factories import make_procedure
from tests.foundation.test_form_messages import errors_of
from tests.journeys import DETAILS


@pytest.mark.parametrize("document", [{"username": 1, "password": ["a", "b"]}, [1, 2], None, "x",
                                      {"username": {"x": None}, "password": True}])
def test_a_json_body_to_the_login_form_is_an_empty_form_not_a_500(client, document):
    response = client.post("/dang-nhap", json=document)
    assert response.status_code in (200, 400, 422)
    assert "Nhập tên đăng nhập." in errors_of(response.get_data(as_text=True))


def test_a_villager_form_posted_as_json_asks_for_the_details_again(client, app):
    procedure = make_procedure()
    db.session.commit()
    response = client.post(f"/thu-tuc/{procedure.slug}/nop-ho-so",
                           json={**DETAILS, "full_name": 12345, "village": ["Bản", "Nà"], "phone": 912345678})
    assert response.status_code in (200, 400, 422)
    assert "Nhập họ và tên của bạn." in errors_of(response.get_data(as_text=True))
    response = client.post("/tra-cuu", json={"code": 10**20, "key": [1]})
    assert response.status_code < 500


@pytest.mark.parametrize("typed", ["100000000000000000000", str(2**31), str(-(2**63) - 1), "9" * 5000])
def test_a_number_too_large_for_the_database_is_refused_and_kept(client, login_as, typed):
    login_as("admin")
    response = client.post("/quan-tri/linh-vuc/moi", data={"code": "moi-truong", "name": "Môi trường",
                                                           "position": typed, "active": "y"})
    assert response.status_code in (200, 400)
    page = response.get_data(as_text=True)
    assert "Giá trị không hợp lệ." in errors_of(page)
    assert f'value="{typed}"' in page
    assert db.session.scalar(sa.select(Field).filter_by(code="moi-truong")) is None


@pytest.mark.parametrize("typed", ["²", "٣", "３", "⁵", "1²", "1_000", "0x10"])
def test_unicode_digits_are_not_a_number(client, login_as, typed):
    login_as("admin")
    response = client.post("/quan-tri/linh-vuc/moi", data={"code": "moi-truong", "name": "Môi trường",
                                                           "position": typed, "active": "y"})
    assert "Hãy nhập một số (chỉ chữ số)." in errors_of(response.get_data(as_text=True))
    assert db.session.scalar(sa.select(Field).filter_by(code="moi-truong")) is None


def test_a_number_with_spaces_or_a_sign_is_still_a_number(client, login_as):
    login_as("admin")
    response = client.post("/quan-tri/linh-vuc/moi", data={"code": "moi-truong", "name": "Môi trường",
                                                           "position": " +7 ", "active": "y"})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Field.position).filter_by(code="moi-truong")) == 7


@pytest.mark.parametrize("procedure", ["99999999999999999999999", str(2**31), "٣", "²", "-1"])
def test_a_ready_text_for_a_procedure_that_cannot_exist_is_refused(client, login_as, procedure):
    login_as("admin")
    response = client.post("/quan-tri/mau-cau/moi", data={
        "kind": "supplement", "procedure": procedure, "title": "Ảnh mờ", "body": "Chụp lại.", "position": "0"})
    assert response.status_code == 400
    assert "Lựa chọn không hợp lệ." in errors_of(response.get_data(as_text=True))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReadyText)) == 0


class _Row(CommuneSubForm):
    count = IntegerField()


class _Numbers(CommuneForm):
    class Meta:
        csrf = False

    number = IntegerField()
    pick = SelectField(coerce=int, choices=[(1, "một"), (2, "hai")])
    ticks = SelectMultipleField(coerce=int, choices=[(1, "một"), (2, "hai")], validate_choice=False)
    row = FormField(_Row)
    name = StringField()


@pytest.mark.parametrize(("sent", "number", "pick", "ticks", "count"), [
    ({"number": "12", "pick": "2", "ticks": ["1", "2"], "row-count": "3"}, 12, 2, [1, 2], 3),
    ({"number": "-5", "pick": " 1 ", "ticks": ["2"], "row-count": "0"}, -5, 1, [2], 0),
    ({"number": "١٢", "pick": "٢", "ticks": ["２"], "row-count": "²"}, None, None, None, None),
    ({"number": str(2**31), "pick": str(2**63), "ticks": [str(10**20)], "row-count": "-" + "9" * 30},
     None, None, None, None),
])
def test_every_integer_field_and_int_choice_of_every_form_reads_ascii_digits_a_database_holds(
        app, sent, number, pick, ticks, count):
    """The base form binds WTForms' own IntegerField and coerce=int as ours: no form can forget."""
    with app.test_request_context(method="POST", data=MultiDict(
            [(k, v) for k, values in sent.items() for v in (values if isinstance(values, list) else [values])])):
        form = _Numbers()
        form.validate()
    assert (form.number.data, form.pick.data, form.ticks.data, form.row.count.data) == (number, pick, ticks, count)
    if number is None:
        assert form.number.errors and form.pick.errors and form.ticks.errors and form.row.count.errors
        assert form.number.raw_data == [sent["number"]]  # shown again as typed


def test_a_field_that_declares_a_wider_range_keeps_it(app):
    """The carrier's phone sends when a step happened in milliseconds (up to 2**53), not a column."""
    from wtforms.validators import NumberRange

    class Clock(CommuneForm):
        class Meta:
            csrf = False

        happened_at = IntegerField(validators=[NumberRange(min=0, max=2**53)])

    with app.test_request_context(method="POST", data={"happened_at": "1767225600000"}):
        form = Clock()
        assert form.validate() and form.happened_at.data == 1767225600000
    with app.test_request_context(method="POST", data={"happened_at": str(2**53 + 1)}):
        assert not Clock().validate()


def test_a_multipart_part_whose_name_cannot_be_read_is_left_out_not_a_500(client, login_as):
    """A part named "\r" has no name once parsed: the procedure editor (with its lists of rows)
    answers with its form again, as for any incomplete post (the fuzz found this one)."""
    login_as("admin")
    procedure = make_procedure()
    body = b'--XyZ\r\nContent-Disposition: form-data; name="\r"\r\n\r\nx\r\n--XyZ--\r\n'
    response = client.post(f"/quan-tri/thu-tuc/{procedure.id}", data=body,
                           content_type="multipart/form-data; boundary=XyZ")
    assert response.status_code == 400
    assert "<form" in response.get_data(as_text=True)
