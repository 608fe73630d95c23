"""A real server (waitress, 8 threads) and villagers who upload worst-case pictures at once, with the
server's memory read from /proc. Used by tests/security/test_upload_memory.py and bench/upload_memory.py."""
import io
import re
import threading
import time
import warnings
import zlib
from pathlib import Path

from PIL import Image

from commune.files import photos
from tests.photos import images
from tests.security.live_site import PROCEDURE, Site, Villager

_UPLOAD_RE = re.compile(r'data-upload-url="([^"]+)"')


class UploadSite(Site):
    """The drill's site with the production thread count and no upload rate limit."""

    def __init__(self, root, threads=8, **settings):
        super().__init__(root)
        self.threads = threads
        self.settings = settings

    def env(self):
        env = super().env()
        env["COMMUNE_THREADS"] = str(self.threads)
        env.update({f"COMMUNE_{k.upper()}": str(v) for k, v in self.settings.items()})
        return env

    def memory(self):
        """{"VmRSS": MB, "VmHWM": MB} of the server process."""
        values = {}
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith(("VmHWM", "VmRSS")):
                name, value = line.split(":")
                values[name] = int(value.split()[0]) // 1024
        return values

    def reset_peak(self):
        """Start a new VmHWM from the current RSS (Linux clear_refs)."""
        Path(f"/proc/{self.process.pid}/clear_refs").write_text("5")

    def settle(self, below_mb, timeout=15):
        """Wait until the server's RSS is under `below_mb` (or the timeout); return the last RSS."""
        deadline = time.monotonic() + timeout
        while True:
            rss = self.memory()["VmRSS"]
            if rss < below_mb or time.monotonic() > deadline:
                return rss
            time.sleep(0.3)


def transparent_png(width, height):
    """A fully transparent RGBA PNG, compressed row by row (a few hundred KB however big)."""
    ihdr = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 6, 0, 0, 0])
    compressor, row, parts = zlib.compressobj(9), b"\0" * (1 + width * 4), []
    for _ in range(height):
        parts.append(compressor.compress(row))
    parts.append(compressor.flush())

    def chunk(kind, body):
        return len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", b"".join(parts)) + chunk(b"IEND", b"")


def worst_accepted_png(cap_mb=photos.DEFAULT_DECODE_MB):
    """The biggest square transparent PNG the decoding cap still accepts: the worst file that is decoded."""
    low, high = 1000, 20000
    while low < high:
        side = (low + high + 1) // 2
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            header = Image.open(io.BytesIO(images.png_bomb(side, side, color_type=6)))
        if photos.decode_cost(header) <= cap_mb * 1024 * 1024:
            low = side
        else:
            high = side - 1
    return transparent_png(low, low), low


def start_draft(site):
    """A villager who started a dossier and stands on the photo step; returns (villager, upload URL)."""
    villager = Villager(site.url)
    villager.get(f"/thu-tuc/{PROCEDURE}/nop-ho-so")
    status, path, body = villager.post(f"/thu-tuc/{PROCEDURE}/nop-ho-so", {
        "full_name": "Lò Thị Hoa", "phone": "0912345678", "id_number": "001195004567",
        "village": "Bản Nà Cang", "address": "Xã Mẫu", "email": "", "website": ""})
    for _step in range(4):
        if path.endswith("/anh-giay-to"):
            break
        status, path, body = villager.get("/nop-ho-so/anh-giay-to")
    urls = _UPLOAD_RE.findall(body)
    assert urls, f"no upload field on {path}: {status}"
    return villager, urls[0]


def upload_like_the_script(villager, url, data, name, attempts=30):
    """Send as upload.js does: on 503 wait Retry-After seconds and send again. Returns (status, text, tries)."""
    for attempt in range(1, attempts + 1):
        status, _path, text = villager.upload(url, data, name)
        if status != 503:
            return status, text, attempt
        time.sleep(1)  # upload.js waits Retry-After (5 s); the test is in more of a hurry
    return status, text, attempts


def at_once(site, files):
    """Upload `files` [(data, name)] from as many villagers at the same moment; sample the server's peak.

    Returns (results [(status, text, tries)], peak MB, seconds)."""
    drafts = [start_draft(site) for _ in files]
    results = [None] * len(files)
    gate = threading.Barrier(len(files))

    def run(index):
        villager, url = drafts[index]
        gate.wait()
        results[index] = upload_like_the_script(villager, url, *files[index])

    started = time.monotonic()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(files))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    return results, site.memory()["VmHWM"], time.monotonic() - started
