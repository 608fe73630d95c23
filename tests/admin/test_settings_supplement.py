"""The admin chooses whether a dossier may get a second supplement request."""
from commune.core.settings import get_settings
from tests.admin.test_calendar_settings import _settings_form


def test_the_admin_turns_on_one_supplement_only_and_back(client, admin):
    page = client.get("/quan-tri/cai-dat").get_data(as_text=True)
    assert "Yêu cầu bổ sung lần hai" in page
    assert '<input checked id="supplement_rule-0" name="supplement_rule" type="radio" value="second_with_reason">' \
        in page  # today's rule is the default
    client.post("/quan-tri/cai-dat", data=_settings_form(supplement_rule="once_only"))
    assert get_settings()["supplement_rule"] == "once_only"
    assert 'checked id="supplement_rule-1"' in client.get("/quan-tri/cai-dat").get_data(as_text=True)
    assert "supplement_rule" in client.get("/quan-tri/nhat-ky").get_data(as_text=True)  # in the change log
    client.post("/quan-tri/cai-dat", data=_settings_form())  # a form without the choice keeps it
    assert get_settings()["supplement_rule"] == "once_only"
    client.post("/quan-tri/cai-dat", data=_settings_form(supplement_rule="second_with_reason"))
    assert get_settings()["supplement_rule"] == "second_with_reason"


def test_an_unknown_rule_is_refused_on_the_form(client, admin):
    response = client.post("/quan-tri/cai-dat", data=_settings_form(supplement_rule="twice"))
    assert response.status_code == 200 and "error" in response.get_data(as_text=True)
    assert get_settings()["supplement_rule"] == "second_with_reason"
