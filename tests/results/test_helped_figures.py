"""The figures count dossiers submitted for someone ("nộp thay") and those without a phone; retention erases helpers."""
import re

from commune.core.timeutil import utcnow
from commune.dossiers.retention import erase_dossier
from commune.extensions import db
from tests.factories import make_dossier, make_procedure


def test_the_figures_count_helped_and_phoneless_dossiers(client, login_as):
    procedure = make_procedure()
    now = utcnow()
    for values in ({"helper_name": "Lò Văn Páo", "helper_phone": "0987123456", "helper_role": "relative"},
                   {"helper_name": "Vàng A Sùng", "helper_phone": "0977000111", "helper_role": "village_officer",
                    "applicant_phone": ""},
                   {"applicant_phone": ""},
                   {}):
        make_dossier(procedure, status="received", received_at=now, **values)
    make_dossier(procedure, status="draft", submitted_at=None, applicant_phone="", helper_name="Nháp")
    db.session.commit()
    login_as("leader")
    html = client.get("/so-lieu").get_data(as_text=True)
    assert "Nộp thay và người không có điện thoại" in html
    # Each number links to its dossiers (reports/drilldown.py): the list shows as many.
    helped = re.search(r'id="kpi-helped"><a href="([^"]+)" class="figure-link">2</a>', html)
    no_phone = re.search(r'id="kpi-no-phone"><a href="([^"]+)" class="figure-link">1</a>', html)
    assert helped and no_phone
    for match, number in ((helped, 2), (no_phone, 1)):
        listed = client.get(match.group(1).replace("&amp;", "&")).get_data(as_text=True)
        assert re.search(rf'class="list-summary">{number} hồ sơ', listed)
    assert "Người thân: 1" in html and "Cán bộ thôn, bản, tổ dân phố: 1" in html


def test_retention_erases_the_helpers_name_and_phone_too(app):
    dossier = make_dossier(make_procedure(), status="returned", finished_at=utcnow(), helper_name="Lò Văn Páo",
                           helper_phone="0987123456", helper_role="relative", helper_relation="con trai")
    erase_dossier(dossier, years=5)
    db.session.commit()
    assert (dossier.helper_name, dossier.helper_phone, dossier.helper_relation) == ("", "", "")
    assert "pao" not in dossier.search_text
