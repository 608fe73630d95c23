"""tus 1.0 at the counter (the test procedure has one document): a clerk's file goes into the
form's batch in chunks, resumes, and is the dossier's once the form is received; another clerk
cannot touch it (tuspy against the real server)."""
import io
import re
import sys

import pytest
import requests
from tusclient import client as tus
from tusclient.exceptions import TusCommunicationError

from tests.security.live_site import CLERK_PASSWORD, Villager
from tests.uploads.conftest import camera_jpeg

CHUNK = 256 * 1024
_TUS_RE = re.compile(r'id="doc-0"[^>]*data-tus-url="([^"]+)"', re.S)


class Clerk(Villager):
    """A clerk at the counter form of the test procedure, holding its batch and tus URL."""

    def open_counter(self):
        _status, _path, body = self.get("/hop-thu/tiep-nhan-tai-quay")
        procedure_id = re.search(r'<option value="(\d+)">Thông báo tổ chức lễ hội cấp xã', body).group(1)
        self.form_url = f"/hop-thu/tiep-nhan-tai-quay?thu_tuc={procedure_id}"
        status, _path, body = self.get(self.form_url)
        assert status == 200
        self.batch = re.search(r'name="c-batch"[^>]*value="([^"]+)"', body).group(1)
        self.tus_url = self.base + _TUS_RE.search(body).group(1).replace("&amp;", "&")
        return body

    def headers(self):
        """The browser's cookies, the page's CSRF token, and its User-Agent (a staff session is tied
        to it: Flask-Login's strong session protection)."""
        cookie = "; ".join(f"{c.name}={c.value}" for c in self.jar)
        agent = f"Python-urllib/{sys.version_info.major}.{sys.version_info.minor}"
        return {"Cookie": cookie, "X-CSRFToken": self.csrf, "User-Agent": agent}

    def uploader(self, data, url=None):
        return tus.TusClient(self.tus_url, headers=self.headers()).uploader(
            file_stream=io.BytesIO(data), chunk_size=CHUNK, url=url, metadata={"filename": "scan.jpg"},
            retries=0, upload_checksum=True)

    def pages(self):
        _status, _path, body = self.post(self.form_url, {"c-batch": self.batch, "c-drop": "none"})
        return re.findall(r'name="c-drop" value="(\d+)"', body)


@pytest.fixture(scope="module")
def clerks(site):
    for name in ("quay1", "quay2"):
        site.flask("users", "create", name, "--role", "clerk", "--password-stdin", stdin=CLERK_PASSWORD + "\n")
    return site


def clerk(site, name):
    person = Clerk(site.url)
    status, path, _body = person.log_in(name)
    assert status == 200 and "dang-nhap" not in path, (status, path)
    person.open_counter()
    return person


def test_a_counter_file_resumes_from_the_server_offset_and_is_the_dossiers_once_received(clerks):
    desk = clerk(clerks, "quay1")
    data = camera_jpeg(seed=11)
    first = desk.uploader(data)
    first.upload(stop_at=CHUNK)  # the office's line drops after one chunk
    assert f"/hop-thu/tiep-nhan-tai-quay/{desk.batch}/tai-len-tiep/" in first.url
    assert desk.pages() == []  # nothing in the batch before the last byte

    again = desk.uploader(data, url=first.url)
    assert again.offset == CHUNK  # tuspy asked the server where its copy ends
    again.upload()
    outcome = requests.get(first.url, headers=desk.headers(), timeout=30)
    assert outcome.status_code == 200 and f"/hop-thu/tiep-nhan-tai-quay/{desk.batch}/tep/" in outcome.text
    assert len(desk.pages()) == 1
    desk.uploader(data).upload()  # the same file once more: the same page
    assert len(desk.pages()) == 1

    other = clerk(clerks, "quay2")  # another clerk holding the first one's upload address
    assert requests.head(first.url, headers={**other.headers(), "Tus-Resumable": "1.0.0"},
                         timeout=30).status_code == 404
    with pytest.raises(TusCommunicationError) as denied:
        other.uploader(data, url=first.url).upload()
    assert denied.value.status_code == 404
    anonymous = requests.head(first.url, headers={"Tus-Resumable": "1.0.0"}, timeout=30, allow_redirects=False)
    assert anonymous.status_code in (302, 401, 403)

    status, path, body = desk.post(desk.form_url, {
        "c-batch": desk.batch, "c-channel": "counter", "a-full_name": "Vi Thị Quầy", "a-phone": "0912345678",
        "a-id_number": "001203004567", "a-village": "Thôn Đông", "a-address": "Xã Mẫu", "a-email": "",
        "r-result_method": "office"})
    assert status == 200 and "/in/tiep-nhan" in path, (status, path, body[:500])
    late = requests.patch(first.url, data=b"x", timeout=30, headers={
        **desk.headers(), "Tus-Resumable": "1.0.0", "Upload-Offset": str(len(data)),
        "Content-Type": "application/offset+octet-stream"})
    assert late.status_code == 404  # the batch is a dossier now: its uploads are closed
