"""GET /robots.txt: search engines may list the catalog, never a villager's or the office's pages.

It is also the site's cheapest route (fixed bytes, no SQL, no template): the throughput
benchmark measures on it what every request costs on top of Flask's own routing.
"""
from flask import Response

# Villagers' dossiers, the office's screens and the forms: no search engine lists them. Rules
# match path prefixes; "*" stands for any text (as the big search engines read it).
DISALLOW = (
    "/ho-so/", "/tra-cuu", "/t/", "/tep/", "/tiep-tuc/", "/nop-ho-so/", "/thu-tuc/*/nop-ho-so",
    "/hop-thu", "/buu-chinh", "/so-lieu", "/quan-tri", "/dang-nhap", "/dang-xuat", "/thoat",
    "/tai-khoan", "/ngon-ngu/", "/thanh-toan",
)
ROBOTS = "".join(["User-agent: *\n", *(f"Disallow: {path}\n" for path in DISALLOW)]).encode()


def robots():
    return Response(ROBOTS, mimetype="text/plain", headers={"Cache-Control": "max-age=86400"})


def init_app(app):
    app.add_url_rule("/robots.txt", "robots", robots)
