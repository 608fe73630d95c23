"""The machine survives its uploads: a real server (`flask serve`, waitress, 8 threads) and its memory
read from /proc while worst-case pictures arrive at once; half-open connections do not block /healthz.

Worst case = the biggest transparent PNG the decoding cap still accepts (a few hundred KB that decodes
to ~170 MB, then shrinks): the heaviest file the pipeline decodes rather than refuses.
Timings are in bench/upload_memory.py; this checks the bounds."""
import socket
import time
import urllib.request

import pytest

from tests.conftest import PG_URL
from tests.security.upload_load import UploadSite, at_once, start_draft, transparent_png, worst_accepted_png

PEAK_MB, SETTLED_MB, ONE_UPLOAD_MB = 600, 250, 300
HALF_OPEN = 110

pytestmark = [pytest.mark.drill,
              pytest.mark.skipif(bool(PG_URL), reason="the server runs on SQLite: a PostgreSQL pass would repeat it")]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    site = UploadSite(tmp_path_factory.mktemp("upload-memory"), channel_timeout=3)
    site.setup()
    site.start()
    yield site
    site.stop()


@pytest.fixture(scope="module")
def worst():
    return worst_accepted_png()[0]


def test_eight_worst_case_uploads_at_once_stay_under_600_mb_and_memory_comes_back(site, worst):
    results, peak, _seconds = at_once(site, [(worst, f"trang-{i}.png") for i in range(8)])
    assert [status for status, _text, _tries in results] == [201] * 8, results
    assert peak < PEAK_MB, f"server peak {peak} MB"
    assert site.settle(SETTLED_MB) < SETTLED_MB


@pytest.mark.parametrize("kind", ["accepted", "refused"])
def test_any_single_upload_adds_at_most_300_mb(site, worst, kind):
    data = worst if kind == "accepted" else transparent_png(7700, 7700)  # the file
    villager, url = start_draft(site)
    site.settle(SETTLED_MB)
    site.reset_peak()
    before = site.memory()["VmRSS"]
    status, _path, text = villager.upload(url, data, "trang.png")
    assert status == (201 if kind == "accepted" else 422), text[:300]
    if kind == "refused":
        assert "7700×7700" in text
    assert site.memory()["VmHWM"] - before < ONE_UPLOAD_MB


def test_110_half_open_connections_do_not_block_healthz(site):
    host, port = "127.0.0.1", site.port
    sockets = []
    try:
        for _ in range(HALF_OPEN):
            connection = socket.create_connection((host, port), timeout=5)
            connection.sendall(b"POST /nop-ho-so/anh-giay-to/0/tai-len HTTP/1.1\r\nHost: x\r\n")  # never finished
            sockets.append(connection)
        started = time.monotonic()
        with urllib.request.urlopen(site.url + "/healthz", timeout=10) as response:
            assert response.status == 200
        assert time.monotonic() - started < 2, "healthz waited behind the half-open connections"
        # Idle connections are closed after channel_timeout (3 s here), freeing their sockets.
        time.sleep(3 + 3)
        closed = 0
        for connection in sockets:
            connection.settimeout(0.5)
            try:
                closed += connection.recv(1) == b""  # the server closed it
            except ConnectionResetError:
                closed += 1
            except TimeoutError:
                pass  # still open
        assert closed == HALF_OPEN
    finally:
        for connection in sockets:
            connection.close()
