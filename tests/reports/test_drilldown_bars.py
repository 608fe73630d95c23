"""The figures that were not links before: the post's failed attempts and returns (they count
attempts; the link is the dossiers behind them) and each bar of the two monthly charts. Following
a link lists as many dossiers as the figure or the bar shows; paper and readers who may not open
the inbox get no links."""
import html as html_lib
import re
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from commune.core.roles import ADMIN, CLERK, OFFICER
from commune.extensions import db
from commune.postal import services
from commune.postal.models import ManifestItem
from commune.reports.periods import make_period
from commune.reports.queries import compute_figures
from tests.factories import make_user, ready_by_post

from .test_drilldown import listed

BAR_LINK = re.compile(r'<a href="([^"]+)" class="bar-link" aria-label="([^"]+)">')
IN_MAY = datetime(2026, 5, 12, 3, 0)  # 10:00 local on Tuesday 12/5/2026
IN_JUNE = datetime(2026, 6, 9, 3, 0)


@pytest.fixture
def attempts(known):
    """Three results sent by post: "tried" failed three times in May (so it went back to the office),
    "once" failed once in May, "june" failed once in June (outside April–May)."""
    clerk, carrier = make_user("clerk"), make_user("postal")
    dossiers = {name: ready_by_post(name=f"Người nhận {name}") for name in ("tried", "once", "june")}
    manifest = services.create_manifest(list(dossiers.values()), clerk)
    services.confirm_manifest(manifest, carrier, {item.id: "" for item in manifest.items}, services.new_token())
    db.session.commit()
    items = {item.dossier_id: item for item in
             db.session.scalars(sa.select(ManifestItem).where(ManifestItem.manifest_id == manifest.id))}
    tries = {"tried": ("nobody_home", "refused", "nobody_home"), "once": ("moved",), "june": ("wrong_address",)}
    for name, reasons in tries.items():
        item = items[dossiers[name].id]
        for reason in reasons:
            services.mark_failed(item, carrier, services.new_token(), reason)
        for action in item.actions:
            action.at = IN_JUNE if name == "june" else IN_MAY
    db.session.commit()
    return {**known, "posted": dossiers}


def _args(url):
    return {k: v[0] for k, v in parse_qs(urlsplit(html_lib.unescape(url)).query).items()}


def test_failed_attempts_and_returns_link_to_the_dossiers_behind_them(attempts, client, login_as):
    login_as("leader")
    page = client.get("/so-lieu?ky=tuy-chon&tu=2026-04-01&den=2026-05-31").get_data(as_text=True)
    failed = re.search(r'<li id="postal-failed">(.*?)</li>', page).group(1)
    returned = re.search(r'<li id="postal-returned">(.*?)</li>', page).group(1)
    # Four attempts on two dossiers; the reasons stay.
    assert "<strong>4 lần</strong>" in failed and "Không có người ở nhà: 2" in html_lib.unescape(failed)
    assert "<strong>1 lần</strong>" in returned
    posted = attempts["posted"]
    for line, figure, names in ((failed, "postal_failed", {"tried", "once"}), (returned, "postal_returned", {"tried"})):
        url, shown = re.search(r'<a href="([^"]+)" class="figure-link">(\d+)</a> hồ sơ', line).groups()
        assert _args(url)["figure"] == figure and int(shown) == len(names)
        count, listing = listed(client, url)
        assert count == len(names)
        assert {name for name, d in posted.items() if d.display_code in listing} == names


def test_postal_figures_count_each_dossier_once(attempts):
    figures = compute_figures(make_period("tuy-chon", date(2026, 4, 1), date(2026, 6, 30))).postal
    assert (figures["failed_attempts"], figures["failed_dossiers"]) == (5, 3)
    assert (figures["returned_to_office"], figures["returned_dossiers"]) == (1, 1)


@pytest.mark.parametrize("start, end", [(date(2026, 4, 1), date(2026, 5, 31)),
                                        # Cuts both months: 29–30/4 and 1–4/5 (bars count only those days).
                                        (date(2026, 4, 29), date(2026, 5, 4))])
def test_every_bar_links_to_that_months_dossiers(known, client, login_as, start, end):
    login_as("leader")
    page = client.get(f"/so-lieu?ky=tuy-chon&tu={start}&den={end}").get_data(as_text=True)
    months = {m["month"]: m for m in compute_figures(make_period("tuy-chon", start, end)).months}
    seen = set()
    for url, name in BAR_LINK.findall(page):
        args = _args(url)
        month, key = args["start"][:7], args["figure"]
        first, last = date.fromisoformat(args["start"]), date.fromisoformat(args["end"])
        # The part of that month inside the period.
        month_start = date.fromisoformat(f"{month}-01")
        month_end = (month_start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        assert (first, last) == (max(start, month_start), min(end, month_end))
        count, _listing = listed(client, url)
        assert count == months[month][key] > 0, (month, key)
        assert html_lib.unescape(name).startswith(f"Tháng {month[5:]}/{month[2:4]}: {count} hồ sơ")
        seen.add((month, key))
    # Every bar and every segment that shows is a link.
    assert seen == {(m, key) for m, bar in months.items() for key in ("received", "early", "on_time", "late")
                    if bar[key]}
    assert ("2026-04", "received") in seen and ("2026-05", "early") in seen
    # A chart with links is a labelled group (role="img" would hide the links from a screen reader).
    assert page.count('role="group" aria-label="Hồ sơ') == 2 and 'role="img" aria-label="Hồ sơ' not in page


def test_the_cut_months_bars_show_only_the_periods_days(known, client, login_as):
    login_as("leader")
    page = client.get("/so-lieu?ky=tuy-chon&tu=2026-04-29&den=2026-05-04").get_data(as_text=True)
    names = {html_lib.unescape(name) for _url, name in BAR_LINK.findall(page)}
    # Early, on time and late arrived on 29/4; the refused one on 4/5; only "early" finished by 4/5.
    assert names == {"Tháng 04/26: 3 hồ sơ tiếp nhận", "Tháng 05/26: 1 hồ sơ tiếp nhận",
                     "Tháng 05/26: 1 hồ sơ giải quyết sớm hạn"}


def test_readers_who_may_not_open_the_inbox_see_the_figures_without_links(attempts, client, login_as,
                                                                          monkeypatch):
    monkeypatch.setattr("commune.reports.drilldown.DOSSIER_READERS", (ADMIN, CLERK, OFFICER))
    login_as("leader")
    page = client.get("/so-lieu?ky=tuy-chon&tu=2026-04-01&den=2026-05-31").get_data(as_text=True)
    assert "<strong>4 lần</strong> (2 hồ sơ;" in page  # the numbers are there...
    assert "/hop-thu?" not in page and "figure-link" not in page and "bar-link" not in page  # ...not the links
    assert page.count('role="img" aria-label="Hồ sơ') == 2


def test_the_printed_monthly_report_has_no_links(attempts, client, login_as):
    login_as("leader")
    page = client.get("/so-lieu/bao-cao-thang?thang=2026-05").get_data(as_text=True)
    assert "<strong>4 lần</strong> (2 hồ sơ;" in page and "<title>Sớm hạn: 1</title>" in page
    assert "/hop-thu?" not in page and "figure-link" not in page and "bar-link" not in page
