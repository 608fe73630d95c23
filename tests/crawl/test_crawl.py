"""Never an error on a running server: the site as `make run` serves it, crawled by every kind of visitor.

A fresh app per test never asks one server a second, different question; a commune's server answers
thousands in a row. Here one real server process (`flask setup`, `flask demo`, `flask serve`) is
visited, one request after another, by a stranger, a villager holding the receipt key, a villager
with code + phone, and each staff role (clerk, officer, leader, carrier, admin). Each follows every
link and submits every GET form reachable from their landing pages; the catalog search is asked
every field's name, every procedure's name (without accents) and villagers' own words, in two
different orders, as a page and as the live search; the clerk's inbox search too. Not one answer
may be a 5xx, and the server's log must hold no traceback.

Runs on SQLite, and on PostgreSQL in the suite's PostgreSQL pass (a database of its own beside the
test database). Bounded: a few hundred pages per visitor, a few minutes in all. A larger crawl by
hand: COMMUNE_CRAWL_PAGES=3000 .venv/bin/python -m pytest tests/crawl -q
"""
import json
import os
import random
import re

import pytest

from commune.catalog.text import normalise
from tests.conftest import PG_URL
from tests.crawl.crawler import Browser, crawl, shape
from tests.crawl.running_site import RunningSite
from tests.photos import images
from tests.security.live_site import PROCEDURE, REPO, Villager

pytestmark = pytest.mark.drill  # starts the site as a process of its own

PAGES = int(os.environ.get("COMMUNE_CRAWL_PAGES", "450"))  # per visitor
CATALOG = REPO / "commune" / "catalog" / "data" / "commune_procedures.json"
COLLOQUIAL = REPO / "commune" / "catalog" / "data" / "colloquial.json"
# What villagers type, as the field reports and the search logs have it (accents or not, slips and all).
VILLAGERS_WORDS = (
    "chung thuc", "chứng thực bản sao", "nguoi co cong", "ho tich", "dat dai", "kinh doanh", "nuoi con",
    "lam giay khai sinh", "khaisinh", "khai tu", "ket hon", "xac nhan tinh trang hon nhan", "giay doc than",
    "so do", "sổ hồng", "cuoi vo", "bo me mat", "me mat", "mo tiem", "xin giay phep xay nha", "sua nha",
    "tach thua", "tro cap", "ho ngheo", "nguoi khuyet tat", "thuong binh", "liet si", "hoc bong",
    "cap lai", "ban sao", "trich luc", "chu ky", "thu tuc lam the nao", "can giay to gi", "le phi",
    "bao nhieu tien", "o dau", "a", "xã", "123", "0912345678", "!!!", "khai sinh cho con", "nhan con nuoi",
)
ROLES = ("clerk", "officer", "leader", "postal", "admin")
LANDINGS = {
    "stranger": ["/", "/tra-cuu", "/dang-nhap", "/robots.txt", "/healthz", "/api/procedures",
                 "/api/procedures/dang-ky-khai-sinh", "/ho-so/ABCDEFGHJK", "/t/ABCDEFGHJK"],
    "clerk": ["/"], "officer": ["/"], "leader": ["/"], "postal": ["/"], "admin": ["/"],
}


def _search_words():
    data = json.loads(CATALOG.read_text(encoding="utf-8"))
    words = [normalise(f["name"]) for f in data["fields"]] + [normalise(p["name"]) for p in data["procedures"]]
    for phrase in json.loads(COLLOQUIAL.read_text(encoding="utf-8"))["phrases"]:
        words += [normalise(said) for said in phrase["say"][:2]]
    return list(dict.fromkeys(words + list(VILLAGERS_WORDS)))


def _two_orders(words):
    shuffled = words[::-1]
    random.Random(2026).shuffle(shuffled)
    return words + shuffled


def _assert_no_error(site, browsers):
    failures = [f"{who}: {method} {url} -> {status}" for who, b in browsers.items()
                for method, url, status in b.failures()]
    log = site.log_text()
    tracebacks = [block[:1500] for block in re.split(r"(?=Traceback \(most recent call last\))", log)
                  if block.startswith("Traceback")]
    assert not failures and not tracebacks, (
        f"{len(failures)} answers were 5xx:\n" + "\n".join(failures[:40]) +
        "\n\nthe server logged:\n" + "\n---\n".join(tracebacks[:5]))


def _villagers(site):
    """A villager who just submitted (holds the key on the receipt), one with the key typed into the
    look-up, and one with code + phone only."""
    phone = "0912345678"
    submitter = Villager(site.url)
    code = submitter.submit_dossier("Lò Văn Crawl", phone, images.jpeg(320, 240))
    holder = Browser(site.url)
    holder.jar, holder.opener = submitter.jar, submitter.opener
    _status, _path, _kind, receipt = holder.get(f"/ho-so/{code}/bien-nhan")
    keyed = Browser(site.url)
    key = re.search(r'class="code[^"]*">\s*([A-Z0-9]{6})\s*<', receipt)
    assert key, "the receipt shows the key to the villager who submitted"
    keyed.get("/tra-cuu")
    status, path, _kind, _text = keyed.post("/tra-cuu", {"code": code, "secret": key.group(1)})
    assert status == 200 and path == f"/ho-so/{code}", f"the key opens the dossier ({status} {path})"
    by_phone = Browser(site.url)
    by_phone.get("/tra-cuu")
    status, path, _kind, _text = by_phone.post("/tra-cuu", {"code": code, "secret": phone})
    assert status == 200 and path == f"/ho-so/{code}", f"code + phone opens the status ({status} {path})"
    drafting = Villager(site.url)  # one more, half-way through a dossier of their own (photos to take)
    drafting.get(f"/thu-tuc/{PROCEDURE}/nop-ho-so")
    status, path, _body = drafting.post(f"/thu-tuc/{PROCEDURE}/nop-ho-so", {
        "full_name": "Lò Thị Nháp", "phone": "0987654321", "id_number": "001195004568", "village": "Bản Nà",
        "address": "Xã Mẫu", "email": "", "website": ""})
    assert status == 200 and path.endswith("/anh-giay-to"), f"a draft was started ({status} {path})"
    draft = Browser(site.url)
    draft.jar, draft.opener = drafting.jar, drafting.opener
    return code, {"villager_submitted": holder, "villager_key": keyed, "villager_phone": by_phone,
                  "villager_draft": draft}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    running = RunningSite(tmp_path_factory.mktemp("crawl"), postgres_url=PG_URL)
    running.prepare()
    running.start()
    yield running
    running.stop()


def test_every_visitor_crawls_a_running_server_without_an_error(site):
    code, browsers = _villagers(site)
    words = _search_words()
    assert len(words) > 100

    stranger = browsers["stranger"] = Browser(site.url)
    for word in _two_orders(words):  # the search, as a page and as the live search, many times in a row
        for headers in (None, {"HX-Request": "true", "HX-Current-URL": site.url + "/"}):
            stranger.get("/tim-kiem?q=" + _quote(word), headers=headers)
    crawl(stranger, LANDINGS["stranger"], max_requests=PAGES)

    for name in ("villager_submitted", "villager_key", "villager_phone"):
        crawl(browsers[name], [f"/ho-so/{code}", f"/ho-so/{code}/bien-nhan", "/"], max_requests=PAGES // 3)
    crawl(browsers["villager_submitted"], [f"/t/{code}"], max_requests=5)
    crawl(browsers["villager_draft"], ["/nop-ho-so/anh-giay-to", "/nop-ho-so/nhan-ket-qua", "/nop-ho-so/kiem-tra"],
          max_requests=PAGES // 3)

    for role in ROLES:
        username, password = site.passwords[role]
        browser = browsers[role] = Browser(site.url)
        landing = browser.log_in(username, password)
        if role == "clerk":
            for word in _two_orders([w for w in words[:60]] + ["nguyen", "0912", code, code.lower(), "HB"]):
                browser.get("/hop-thu?q=" + _quote(word))
        crawl(browser, [landing, *LANDINGS[role], f"/hop-thu?q={code}"], max_requests=PAGES)

    for who, browser in browsers.items():
        shapes = {shape(url) for _m, url, _s in browser.answers}
        print(f"{who}: {len(browser.answers)} answers, {len(shapes)} kinds of page")
    total = sum(len(b.answers) for b in browsers.values())
    assert total > 1500, f"the crawl asked only {total} questions"
    staff_pages = {url.split("?")[0] for role in ROLES for _m, url, s in browsers[role].answers if s == 200}
    assert len(staff_pages) > 40, "the staff crawl reached the staff pages"
    _assert_no_error(site, browsers)


def _quote(word):
    from urllib.parse import quote

    return quote(word)
