"""The SMS's short link /t/<code>: the tracking look-up with the code filled in, and nothing more without the key."""
from commune.extensions import db
from tests.factories import new_dossier


def test_the_short_link_opens_the_lookup_with_the_code_and_reveals_nothing(app, client):
    dossier = new_dossier(applicant_name="Lò Thị Bí Mật", applicant_id_number="001299000111")
    db.session.commit()
    response = client.get(f"/t/{dossier.code}")
    assert response.status_code == 302 and response.location.endswith(f"/ho-so/{dossier.code}")
    page = client.get(response.location)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and f'value="{dossier.code}"' in html and 'name="secret"' in html
    assert "Lò Thị Bí Mật" not in html and "001299000111" not in html and dossier.lookup_key not in html
    # An unknown code gets the same answer: the link tells nobody whether a dossier exists.
    unknown = client.get("/t/QQQQQQQQQQ")
    assert unknown.status_code == 302
    other = client.get(unknown.location).get_data(as_text=True)
    assert other.replace("QQQQQQQQQQ", "C") == html.replace(dossier.code, "C")


def test_the_short_link_takes_the_villager_holding_the_key_to_the_dossier(app, client):
    dossier = new_dossier(applicant_name="Lò Thị Có Khóa")
    db.session.commit()
    client.get(f"/ho-so/{dossier.code}?k={dossier.lookup_key}")
    page = client.get(f"/t/{dossier.code.lower()}", follow_redirects=True).get_data(as_text=True)
    assert "Lò Thị Có Khóa" in page
