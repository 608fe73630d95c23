"""From any figure to the dossiers behind it: every figure links to the inbox list, and the list
shows exactly as many dossiers as the figure counted."""
import html as html_lib
import re
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest

from commune.extensions import db
from commune.reports.periods import Period, make_period
from commune.reports.queries import comparison, compute_figures
from commune.tracking.models import Rating
from tests.factories import make_user

PERIOD = "?ky=tuy-chon&tu=2026-04-01&den=2026-05-31"
LINK = re.compile(r'<a href="([^"]+)" class="figure-link">([^<]*)</a>')


@pytest.fixture
def rated(known):
    """The known dossiers, some handled by a named officer, three of them rated in May."""
    officer = make_user("officer", full_name="Hà Thị Xử Lý")
    d = known["dossiers"]
    for key in ("early", "late", "overdue"):
        d[key].assignee_id = officer.id
    for key, score in (("early", "satisfied"), ("on_time", "satisfied"), ("late", "unsatisfied")):
        db.session.add(Rating(dossier_id=d[key].id, score=score, created_at=d[key].finished_at))
    db.session.commit()
    return known


def listed(client, url):
    """How many dossiers the inbox list says it shows."""
    page = client.get(html_lib.unescape(url)).get_data(as_text=True)
    return int(re.search(r'class="list-summary">(\d+) hồ sơ', page).group(1)), page


def expected(figures, extra, key, dims):
    """The figure's number, read from the same figures the page shows."""
    if key in ("rated", "satisfied", "neutral", "unsatisfied"):
        return extra[key if key != "rated" else "total"]
    if key in ("helped", "no_phone"):
        return figures.helped[key]
    postal = {"postal_handed": "handed_over", "postal_delivered": "delivered",
              "postal_failed": "failed_dossiers", "postal_returned": "returned_dossiers"}
    if key in postal:
        return figures.postal[postal[key]]
    rows = [figures.overall]
    if dims:
        (name, value), = dims.items()
        table = {"field": figures.by_field, "procedure": figures.by_procedure, "assignee": figures.by_staff}[name]
        rows = [r for r in table if str(r.key if r.key is not None else "none") == value]
    row, = rows
    return row.early + row.on_time if key == "in_time" else getattr(row, key)


def test_every_figure_links_to_exactly_the_dossiers_it_counts(rated, client, login_as):
    login_as("leader")
    page = client.get("/so-lieu" + PERIOD).get_data(as_text=True)
    links = LINK.findall(page)
    figures = compute_figures(make_period("tuy-chon", date(2026, 4, 1), date(2026, 5, 31)))
    compared = comparison(figures)
    periods = {(p.start.isoformat(), p.end.isoformat()): p
               for p in (figures.period, compared.previous, compared.last_year)}
    seen = set()
    for url, text in links:
        args = {k: v[0] for k, v in parse_qs(urlsplit(html_lib.unescape(url)).query).items()}
        assert urlsplit(html_lib.unescape(url)).path == "/hop-thu" and args.pop("tab") == "all"
        key, period = args.pop("figure"), periods[(args.pop("start"), args.pop("end"))]
        shown = figures if period == figures.period else compute_figures(period)
        number = expected(shown, shown.satisfaction, key, args)
        count, _page = listed(client, url)
        assert count == number, (key, args, period)
        if text.strip().isdigit():
            assert int(text) == count, (key, args, text)
        seen.add((key, tuple(args)))
    # Every headline figure, every table column, every comparison row is there.
    keys = {key for key, _dims in seen}
    assert keys >= {"received", "online", "counter", "post", "resolved", "early", "on_time", "in_time", "late",
                    "refused", "withdrawn", "in_progress", "within_time", "overdue", "satisfied", "neutral",
                    "unsatisfied"}
    assert {dims for _key, dims in seen} == {(), ("field",), ("procedure",), ("assignee",)}
    assert len(links) > 100


def test_the_known_dossiers_are_the_ones_listed(rated, client, login_as):
    login_as("leader")
    page = client.get("/so-lieu" + PERIOD).get_data(as_text=True)
    headline = {}
    for url, _text in LINK.findall(page):
        args = parse_qs(urlsplit(html_lib.unescape(url)).query)
        if args["start"] == ["2026-04-01"] and not {"field", "procedure", "assignee"} & set(args):
            headline[args["figure"][0]] = url
    d = rated["dossiers"]
    # "within" was due on 25/5/2026: by today it is overdue too.
    for key, names in (("late", {"late"}), ("early", {"early"}), ("overdue", {"overdue", "within"}),
                       ("refused", {"refused"}), ("in_time", {"early", "on_time"}), ("unsatisfied", {"late"})):
        count, listing = listed(client, headline[key])
        assert count == len(names)
        assert {n for n in d if d[n].display_code in listing} == names
        assert "Các hồ sơ của số liệu" in listing and "01/04/2026 – 31/05/2026" in listing


def test_the_figure_stays_while_other_filters_change_and_can_be_removed(rated, client, login_as):
    login_as("clerk")
    url = "/hop-thu?tab=all&figure=received&start=2026-04-01&end=2026-05-31"
    count, page = listed(client, url)
    assert count == 7
    assert 'type="hidden" name="figure" value="received"' in page and 'name="start" value="2026-04-01"' in page
    civil = rated["civil"]
    narrowed, _page = listed(client, url + f"&procedure={civil.id}")
    assert narrowed == 4  # early, on time, within time, refused: civil status dossiers received in the period
    removal = re.search(r'<a href="([^"]+)">Bỏ lọc số liệu</a>', page).group(1)
    assert "figure" not in html_lib.unescape(removal)
    everything, _page = listed(client, removal)
    assert everything == 8  # all the known dossiers but the draft


def test_an_unknown_figure_or_a_missing_day_is_ignored(rated, client, login_as):
    login_as("clerk")
    for url in ("/hop-thu?tab=all&figure=nothing&start=2026-04-01&end=2026-05-31",
                "/hop-thu?tab=all&figure=received&start=2026-04-01",
                "/hop-thu?tab=all&figure=received&start=hôm-qua&end=2026-05-31"):
        count, page = listed(client, url)
        assert count == 8 and "Các hồ sơ của số liệu" not in page


def test_readers_who_may_not_open_the_inbox_get_no_links(rated, app):
    from commune.reports.drilldown import figure_url

    with app.test_request_context():
        assert figure_url("late", Period(date(2026, 4, 1), date(2026, 4, 30)), "procedure", None) is None
        assert "assignee=none" in figure_url("late", Period(date(2026, 4, 1), date(2026, 4, 30)), "staff", None)
