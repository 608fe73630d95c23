"""First look: the clerk opens the inbox and a dossier."""


def test_clerk_sees_new_online_dossier_in_inbox_and_opens_it(client, login_as, dossier_in):
    login_as("clerk")
    dossier = dossier_in("submitted", applicant_name="Trần Thị Bình")
    page = client.get("/hop-thu")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Trần Thị Bình" in html
    assert page.headers["Vary"].count("HX-Request")
    page = client.get(f"/hop-thu/ho-so/{dossier.id}")
    assert page.status_code == 200, page.get_data(as_text=True)
    html = page.get_data(as_text=True)
    assert "Tiếp nhận" in html
    assert "Nếu tiếp nhận bây giờ, hẹn trả:" in html  # the clerk knows the date before accepting
