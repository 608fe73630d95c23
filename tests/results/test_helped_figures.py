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
    assert re.search(r'id="kpi-helped">2<', html) and re.search(r'id="kpi-no-phone">1<', html)
    assert "Người thân: 1" in html and "Cán bộ thôn, bản, tổ dân phố: 1" in html


def test_retention_erases_the_helpers_name_and_phone_too(app):
    dossier = make_dossier(make_procedure(), status="returned", finished_at=utcnow(), helper_name="Lò Văn Páo",
                           helper_phone="0987123456", helper_role="relative", helper_relation="con trai")
    erase_dossier(dossier, years=5)
    db.session.commit()
    assert (dossier.helper_name, dossier.helper_phone, dossier.helper_relation) == ("", "", "")
    assert "pao" not in dossier.search_text
