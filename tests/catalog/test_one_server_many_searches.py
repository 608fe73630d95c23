"""One app answers many visitors: every search after the first must work as well as the first.

A running server keeps the catalog's search rows across requests. When it kept ORM objects, the
first search that matched a field worked and every different one after it failed with a 500
(DetachedInstanceError): a fresh app per test never asked a second question. Here one app is asked
every field's name, then every procedure's name, in two orders, as a page and as the live search.
"""
import random

from commune.catalog.text import normalise

VILLAGERS_WORDS = ("chung thuc", "nguoi co cong", "ho tich", "dat dai", "kinh doanh", "nuoi con",
                   "lam giay khai sinh", "so do", "cuoi vo", "bo me mat", "xin xac nhan doc than")


def test_every_search_after_many_others_on_one_app(client, catalog):
    field_names = [normalise(f["name"]) for f in catalog["fields"]]
    queries = field_names + list(VILLAGERS_WORDS) + [normalise(p["name"]) for p in catalog["procedures"]]
    assert len(queries) > 60
    second = queries[:]
    random.Random(7).shuffle(second)
    found_fields = 0
    for query in queries + second:
        page = client.get("/tim-kiem", query_string={"q": query})
        assert page.status_code == 200, f"{query!r}: {page.status_code}"
        fragment = client.get("/tim-kiem", query_string={"q": query}, headers={"HX-Request": "true"})
        assert fragment.status_code == 200, f"{query!r} (live search): {fragment.status_code}"
        found_fields += "Lĩnh vực:" in page.get_data(as_text=True)
    assert found_fields >= len(field_names), "every field's name finds its field"
