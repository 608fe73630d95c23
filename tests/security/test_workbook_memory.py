"""The machine survives the workbooks it is sent: a real server (`flask serve`, waitress, 8 threads), its
memory read from /proc while four hostile workbooks arrive at once, through the clerk's bank statement
import and the admin's national list import; then four big workbooks that openpyxl reads whole."""
import threading

import pytest

from tests.conftest import PG_URL
from tests.security.hostile_workbooks import CASES, HEAD, NS, workbook
from tests.security.live_site import CLERK_PASSWORD, Villager
from tests.security.upload_load import UploadSite

PEAK_MB, SETTLED_MB = 600, 250
STATEMENTS, NATIONAL = "/thanh-toan/sao-ke", "/quan-tri/thu-tuc/nhap-danh-muc-quoc-gia"

pytestmark = [pytest.mark.drill,
              pytest.mark.skipif(bool(PG_URL), reason="the server runs on SQLite: a PostgreSQL pass would repeat it")]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    site = UploadSite(tmp_path_factory.mktemp("workbook-memory"), channel_timeout=30)
    site.setup()
    site.flask("users", "create", "admin1", "--role", "admin", "--password-stdin", stdin=CLERK_PASSWORD + "\n")
    site.start()
    yield site
    site.stop()


def _staff(site, username, page):
    """A logged-in clerk or admin standing on the import page (its CSRF token read)."""
    person = Villager(site.url)
    status, path, _body = person.log_in(username)
    assert status == 200 and "dang-nhap" not in path, (status, path)
    status, _path, _body = person.get(page)
    assert status == 200, (username, page, status)
    return person


def _at_once(site, uploads):
    """[(username, page, data)] sent at the same moment; returns ([(status, text)], server peak MB)."""
    people = [_staff(site, username, page) for username, page, _data in uploads]
    results = [None] * len(uploads)
    gate = threading.Barrier(len(uploads))

    def run(index):
        _username, page, data = uploads[index]
        gate.wait()
        status, _path, text = people[index].upload(page, data, "tep.xlsx")
        results[index] = (status, text)

    site.settle(SETTLED_MB)
    site.reset_peak()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(uploads))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return results, site.memory()["VmHWM"]


def _big_readable(rows=2450, columns=20):
    """A big workbook the bounds let openpyxl read whole: 49,000 cells of Vietnamese text in inline strings
    (a 5,000-row statement of 10 columns), then refused by the import for having no header row it knows.
    (At the cells bound, 98,000, four at once peak near 180 MB but take half a minute of CPU.)"""
    cell = "<c t=\"inlineStr\"><is><t>Nguyễn Thị Hoà chuyển khoản {r}-{c}</t></is></c>"
    body = "".join(f'<row r="{r}">' + "".join(cell.format(r=r, c=c) for c in range(columns)) + "</row>"
                   for r in range(1, rows + 1))
    return workbook(HEAD + f"<worksheet {NS}><sheetData>{body}</sheetData></worksheet>")


HOSTILE = [("clerk1", STATEMENTS, "one cell of 400 MB (the issue's file)"),
           ("admin1", NATIONAL, "hundreds of thousands of tiny cells"),
           ("clerk1", STATEMENTS, "shared strings table past its count"),
           ("admin1", NATIONAL, "a million empty styled cells")]


def test_four_hostile_workbooks_at_once_stay_under_600_mb(site):
    uploads = [(user, page, CASES[case][0]()) for user, page, case in HOSTILE]
    results, peak = _at_once(site, uploads)
    for (_user, _page, case), (status, text) in zip(HOSTILE, results, strict=True):
        assert status == 400 and CASES[case][1] in text, (case, status, text[:300])
    assert peak < PEAK_MB, f"server peak {peak} MB"
    assert site.settle(SETTLED_MB) < SETTLED_MB


def test_four_big_readable_workbooks_at_once_stay_under_600_mb(site):
    data = _big_readable()
    results, peak = _at_once(site, [("clerk1", STATEMENTS, data)] * 2 + [("admin1", NATIONAL, data)] * 2)
    for status, text in results:
        assert status == 400, (status, text[:300])
        assert "Không nhận ra định dạng sao kê" in text or "Không thấy dòng tiêu đề" in text, text[:300]
    assert peak < PEAK_MB, f"server peak {peak} MB"
    assert site.settle(SETTLED_MB) < SETTLED_MB
