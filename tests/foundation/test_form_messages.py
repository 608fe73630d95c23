"""WTForms ships no Vietnamese: its own messages reach villagers and staff in Vietnamese (or English)."""
from tests.factories import make_procedure
from tests.journeys import DETAILS, SETTINGS


def errors_of(html):
    import re

    return re.findall(r'class="error"[^>]*>([^<]+)<', html)


def test_a_villager_who_types_too_much_reads_why_in_vietnamese(client, app):
    procedure = make_procedure()
    from commune.extensions import db

    db.session.commit()
    response = client.post(f"/thu-tuc/{procedure.slug}/nop-ho-so", data={**DETAILS, "village": "Bản " * 40})
    html = response.get_data(as_text=True)
    assert response.status_code in (400, 422)
    assert "Không được dài quá 120 ký tự." in errors_of(html)
    assert "Field cannot be longer" not in html
    assert 'value="Lò Thị Hoa"' in html  # what was typed stays


def test_the_admins_number_fields_answer_in_vietnamese_and_in_english(client, login_as):
    login_as("admin")
    bad = {**SETTINGS, "draft_retention_days": "abc", "dossier_retention_years": "0"}
    errors = errors_of(client.post("/quan-tri/cai-dat", data=bad).get_data(as_text=True))
    assert "Hãy nhập một số (chỉ chữ số)." in errors and "Số phải từ 1 đến 100." in errors
    client.set_cookie("lang", "en")
    errors = errors_of(client.post("/quan-tri/cai-dat", data=bad).get_data(as_text=True))
    assert "Enter a number (digits only)." in errors and "The number must be from 1 to 100." in errors


def test_every_wtforms_message_we_translate_keeps_its_placeholders():
    import re

    from commune.core.forms import MESSAGES, PLURAL_MESSAGES

    for theirs, ours in {**MESSAGES, **PLURAL_MESSAGES}.items():
        assert set(re.findall(r"%\(\w+\)[sd]", theirs)) == set(re.findall(r"%\(\w+\)[sd]", ours)), theirs
