"""Only admins reach the admin pages: every admin URL is 403 for other staff and asks visitors to log in."""
import pytest

from commune.extensions import db
from tests.factories import make_dossier, make_procedure


def admin_urls(app):
    """Every admin URL with sample arguments, and its methods."""
    samples = {"field_id": 1, "procedure_id": 1, "user_id": 1, "blank_id": 1, "referral_id": 1, "text_id": 1,
               "day": "2026-05-01",
               "year": 2027}
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("admin."):
            url = rule.rule
            for name in rule.arguments:
                url = url.replace(f"<int:{name}>", str(samples[name])).replace(f"<{name}>", str(samples[name]))
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                urls.append((method, url))
    return urls


def test_the_admin_has_many_pages(app):
    assert len(admin_urls(app)) >= 20


@pytest.mark.parametrize("role", ["clerk", "officer", "leader", "postal"])
def test_every_admin_url_is_forbidden_to_other_staff(app, client, login_as, role):
    make_dossier(make_procedure())
    db.session.commit()
    login_as(role)
    for method, url in admin_urls(app):
        response = client.open(url, method=method)
        assert response.status_code == 403, (method, url)


def test_visitors_are_asked_to_log_in_for_every_admin_url(app, client):
    for method, url in admin_urls(app):
        response = client.open(url, method=method)
        assert response.status_code in (302, 401), (method, url)
        if response.status_code == 302:
            assert "/dang-nhap" in response.headers["Location"]


def test_admin_sees_every_admin_page(app, client, admin, catalog):
    pages = ["/quan-tri", "/quan-tri/nhat-ky", "/quan-tri/linh-vuc", "/quan-tri/linh-vuc/moi",
             "/quan-tri/linh-vuc/1", "/quan-tri/thu-tuc", "/quan-tri/thu-tuc/moi", "/quan-tri/thu-tuc/1",
             "/quan-tri/danh-muc/nhap", "/quan-tri/danh-muc/xuat", "/quan-tri/can-bo", "/quan-tri/can-bo/moi",
             f"/quan-tri/can-bo/{admin.id}", "/quan-tri/lich", "/quan-tri/cai-dat",
             "/quan-tri/viec-noi-khac", "/quan-tri/viec-noi-khac/moi", "/quan-tri/mau-cau", "/quan-tri/mau-cau/moi"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        if response.mimetype == "text/html":
            assert "style=" not in response.get_data(as_text=True).split("<main", 1)[1], url
