"""A real site (`flask serve`, waitress, CSRF on) for the tus tests, and villagers with a draft each."""
import io
import random
import re
import subprocess
import sys

import pytest
from PIL import Image

from tests.security.live_site import PROCEDURE, REPO, Site, Villager

CAP_MB = 2  # COMMUNE_RESUMABLE_MAX_MB of the test site: over-size is quick to show
_TUS_RE = re.compile(r'data-tus-url="([^"]+)"')


class UploadSite(Site):
    def env(self):
        env = super().env()
        env["COMMUNE_RESUMABLE_MAX_MB"] = str(CAP_MB)
        return env

    def setup(self, clerk=None):
        """The schema from the models (this suite is about uploads, not migrations), then the catalog."""
        self.root.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-c", "from commune import create_app\nfrom commune.extensions import db\n"
                        "app = create_app()\nwith app.app_context(): db.create_all()"],
                       cwd=REPO, env=self.env(), check=True, timeout=120)
        self.flask("catalog", "load")


@pytest.fixture(scope="package")
def site(tmp_path_factory):
    site = UploadSite(tmp_path_factory.mktemp("tus-site"))
    site.setup()
    site.start()
    yield site
    site.stop()


class DraftVillager(Villager):
    """A villager at the photo step of their own draft, holding the page's tus URL and CSRF token."""

    def start_draft(self, name="Lò Thị Hoa"):
        self.get(f"/thu-tuc/{PROCEDURE}/nop-ho-so")
        status, path, body = self.post(f"/thu-tuc/{PROCEDURE}/nop-ho-so", {
            "full_name": name, "phone": "0912345678", "id_number": "001195004567", "village": "Bản Nà Cang",
            "address": "Xã Mẫu", "email": "", "website": ""})
        assert path.endswith("/anh-giay-to"), (status, path)
        self.tus_url = self.base + _TUS_RE.search(body).group(1)
        return body

    def headers(self):
        """What a browser sends with each tus request: its cookies and the page's CSRF token."""
        cookie = "; ".join(f"{c.name}={c.value}" for c in self.jar)
        return {"Cookie": cookie, "X-CSRFToken": self.csrf}

    def pages(self):
        """The pages the photo step shows (thumbnails in the grid)."""
        _status, _path, body = self.get("/nop-ho-so/anh-giay-to")
        return len(re.findall(r'<li class="photo" id="file-\d+"', body))


@pytest.fixture
def villager(site):
    person = DraftVillager(site.url)
    person.start_draft()
    return person


@pytest.fixture
def neighbour(site):
    person = DraftVillager(site.url)
    person.start_draft("Hà Văn Nam")
    return person


def camera_jpeg(size=(1400, 1000), seed=1):
    """A noisy JPEG of about a megabyte: several chunks, and a photo the pipeline accepts."""
    rng = random.Random(seed)
    image = Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def pytest_collection_modifyitems(items):
    """A test that talks to the upload site (a process of its own) is a drill: not in `make test-fast`."""
    for item in items:
        if "site" in getattr(item, "fixturenames", ()) and "tests/uploads" in str(item.fspath):
            item.add_marker(pytest.mark.drill)
