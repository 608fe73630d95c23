"""A postal account opens only the manifests of its own post office, or those handed to it."""
import sqlalchemy as sa

from commune.extensions import db
from commune.postal.models import Manifest
from tests.factories import make_user, ready_by_post


def _postal(login_as, app, office, username):
    browser = app.test_client()
    user = login_as("postal", username=username, client_=browser)
    user.post_office = office
    db.session.commit()
    return user, browser


def test_the_clerk_hands_the_bag_to_one_office_and_only_its_accounts_open_the_manifest(app, client, login_as):
    ours, our_browser = _postal(login_as, app, "Bưu cục Na Hang", "buuta-na-hang")
    _theirs, their_browser = _postal(login_as, app, "Bưu cục Chiêm Hóa", "buuta-chiem-hoa")
    login_as("clerk")
    d = ready_by_post(name="Lò Thị Mai")
    db.session.commit()

    page = client.get("/buu-chinh/bang-ke/moi").get_data(as_text=True)
    assert "Bưu cục Na Hang" in page and "Bưu cục Chiêm Hóa" in page
    # The office must be chosen when the commune has named several.
    assert client.post("/buu-chinh/bang-ke/moi", data={f"pick_{d.id}": "y"}).status_code == 400
    response = client.post("/buu-chinh/bang-ke/moi", data={f"pick_{d.id}": "y", f"fee_{d.id}": "0",
                                                           "post_office": "Bưu cục Na Hang"})
    assert response.status_code == 302
    manifest = db.session.scalar(sa.select(Manifest))
    assert manifest.post_office == "Bưu cục Na Hang"

    # The other office: the number it types (they are sequential) is answered as a manifest that does not exist.
    for url in (f"/buu-chinh/bang-ke/{manifest.number}", f"/buu-chinh/bang-ke/{manifest.number}/in"):
        response = their_browser.get(url)
        assert response.status_code == 404, url
        assert "Lò Thị Mai" not in response.get_data(as_text=True)
    typed = their_browser.post("/buu-chinh/nhan-bang-ke", data={"number": manifest.number})
    assert typed.status_code == 400 and "Không có bảng kê số này" in typed.get_data(as_text=True)

    # Our office opens it, prints it and confirms it; it stays open to us as the account it was handed to.
    assert our_browser.get(f"/buu-chinh/bang-ke/{manifest.number}/in").status_code == 200
    assert our_browser.post("/buu-chinh/nhan-bang-ke", data={"number": manifest.number}).status_code == 302
    page = our_browser.get(f"/buu-chinh/bang-ke/{manifest.number}").get_data(as_text=True)
    assert "Lò Thị Mai" in page and d.display_code not in page


def test_a_confirmed_manifest_is_no_longer_open_to_the_rest_of_the_office(app, client, login_as, handed):
    carrier, (item, _other) = handed(make_user("postal", username="buuta-giu"))
    _colleague, colleague_browser = _postal(login_as, app, "", "buuta-dong-nghiep")
    number = item.manifest.number
    assert colleague_browser.get(f"/buu-chinh/bang-ke/{number}/in").status_code == 404
    assert colleague_browser.get(f"/buu-chinh/buu-gui/{item.id}").status_code == 403


def test_a_commune_that_names_no_office_keeps_one_shared_office(app, client, login_as):
    _user, browser = _postal(login_as, app, "", "buuta-mot")
    login_as("clerk")
    d = ready_by_post()
    db.session.commit()
    assert "Giao cho bưu cục" not in client.get("/buu-chinh/bang-ke/moi").get_data(as_text=True)
    assert client.post("/buu-chinh/bang-ke/moi", data={f"pick_{d.id}": "y", f"fee_{d.id}": "0"}).status_code == 302
    manifest = db.session.scalar(sa.select(Manifest))
    assert manifest.post_office == ""
    assert browser.get(f"/buu-chinh/bang-ke/{manifest.number}").status_code == 200


def test_the_admin_sets_a_postal_accounts_office(app, client, login_as):
    login_as("admin")
    response = client.post("/quan-tri/can-bo/moi", data={
        "username": "buuta-moi", "full_name": "Bưu tá Mới", "role": "postal",
        "post_office": "Bưu cục Na Hang", "password": "mat-khau-dai-123"})
    assert response.status_code == 302
    from commune.accounts.models import User

    assert db.session.scalar(sa.select(User).filter_by(username="buuta-moi")).post_office == "Bưu cục Na Hang"
