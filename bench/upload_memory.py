"""Upload memory figures: a real server (flask serve, waitress, 8 threads) and worst-case pictures at once.

Run: .venv/bin/python bench/upload_memory.py            (the server's peak and settled RSS, times)
     .venv/bin/python bench/upload_memory.py --calibrate (decode_cost() against the measured peak per format)
The bounds themselves are checked by tests/security/test_upload_memory.py.
"""
import io
import os
import platform
import subprocess
import sys
import tempfile
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from PIL import Image  # noqa: E402

from commune.files import photos  # noqa: E402
from tests.photos import images  # noqa: E402
from tests.security.upload_load import UploadSite, at_once, start_draft, transparent_png, worst_accepted_png  # noqa: E402


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
               platform.processor())
    memory = next(int(line.split()[1]) // 1024 for line in open("/proc/meminfo") if line.startswith("MemTotal"))
    return (f"# machine: {cpu}, {os.cpu_count()} cores, {memory} MB RAM, Python {platform.python_version()}, "
            f"Pillow {Image.__version__}, load {os.getloadavg()[0]:.1f} at start")


def _save(image, fmt, **options):
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def worst_files():
    """The heaviest accepted file per format (largest size under the cap), as (label, bytes, name)."""
    png, side = worst_accepted_png()
    return [(f"transparent PNG {side}²", png, "a.png"),
            ("iPhone-size HEIC 5712×4284", images.heic(5712, 4284), "a.heic"),
            ("WebP 3200²", _save(Image.new("RGB", (3200, 3200), "white"), "WEBP", lossless=True), "a.webp"),
            ("progressive JPEG 5000²", _save(Image.new("RGB", (5000, 5000), "white"), "JPEG", progressive=True),
             "a.jpg"),
            ("baseline JPEG 3999²", _save(Image.new("RGB", (3999, 3999), "white"), "JPEG"), "a.jpg")]


def run_server():
    print(machine())
    with tempfile.TemporaryDirectory(prefix="bench-upload-") as root:
        site = UploadSite(root)
        site.setup()
        site.start()
        try:
            idle = site.memory()["VmRSS"]
            print(f"server idle: {idle} MB RSS; decoding cap {photos.DEFAULT_DECODE_MB} MB, 2 slots, 8 threads")
            files = worst_files()
            label, png, _name = files[0]
            results, peak, seconds = at_once(site, [(png, f"p{i}.png") for i in range(8)])
            tries = sum(r[2] for r in results)
            print(f"8 x {label} ({len(png) // 1024} KB) at once: statuses {sorted({r[0] for r in results})}, "
                  f"{tries - 8} busy answers retried, peak {peak} MB, {seconds:.1f} s, "
                  f"settled {site.settle(150)} MB")
            site.reset_peak()
            mixed = [(data, name) for _label, data, name in files] + [(png, "p.png")] * 3
            results, peak, seconds = at_once(site, mixed)
            print(f"8 mixed worst-case files at once: statuses {sorted({r[0] for r in results})}, "
                  f"peak {peak} MB, {seconds:.1f} s, settled {site.settle(150)} MB")
            for label, data, name in files + [("the issue's PNG 7700² (refused)", transparent_png(7700, 7700),
                                               "b.png")]:
                villager, url = start_draft(site)
                site.settle(150)
                site.reset_peak()
                before = site.memory()["VmRSS"]
                started = time.monotonic()
                status, _path, _text = villager.upload(url, data, name)
                print(f"one {label}: {status}, +{site.memory()['VmHWM'] - before} MB peak, "
                      f"{(time.monotonic() - started) * 1000:.0f} ms")
        finally:
            site.stop()


CALIBRATE = [("png", 7000, 7000, "RGBA"), ("png", 7000, 7000, "RGB"), ("png", 12000, 12000, "P"),
             ("png", 10000, 10000, "1"), ("png", 8000, 6000, "LA"), ("png", 9000, 9000, "I;16"),
             ("webp", 4000, 4000, "RGBA"), ("webp", 4000, 4000, "RGB"), ("heic", 5712, 4284, "RGB"),
             ("jpegp", 6000, 6000, "RGB"), ("jpeg", 13000, 13000, "RGB"), ("jpeg", 3999, 3999, "RGB")]

_ONE = """
import io, sys, warnings
warnings.simplefilter("ignore")
sys.path.insert(0, {repo!r})
from PIL import Image
from commune.core import photos
from commune.files.decode_slots import release_memory, tune_malloc
photos.DEFAULT_DECODE_MB = 100000
data = open({path!r}, "rb").read()
tune_malloc(); release_memory()
def mb(key):
    return next(int(l.split()[1]) // 1024 for l in open("/proc/self/status") if l.startswith(key))
estimate = photos.decode_cost(Image.open(io.BytesIO(data))) // 2**20
open("/proc/self/clear_refs", "w").write("5")
before = mb("VmRSS")
photos.process_upload(data, "x")
print(estimate, mb("VmHWM") - before)
"""


def calibrate():
    """Each file in a fresh process: decode_cost() must not be below the measured peak."""
    print(machine())
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for kind, width, height, mode in CALIBRATE:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            image = Image.new(mode, (width, height), 0)
        fmt, options = {"png": ("PNG", {"compress_level": 1}), "webp": ("WEBP", {"lossless": True}),
                        "heic": ("HEIF", {"quality": 10}), "jpegp": ("JPEG", {"progressive": True}),
                        "jpeg": ("JPEG", {})}[kind]
        if kind == "heic":
            import pillow_heif

            pillow_heif.register_heif_opener()
        data = _save(image, fmt, **options)
        del image
        with tempfile.NamedTemporaryFile(suffix=".bin") as handle:
            handle.write(data)
            handle.flush()
            out = subprocess.run([sys.executable, "-c", _ONE.format(repo=repo, path=handle.name)],
                                 capture_output=True, text=True, check=True).stdout.split()
        estimate, peak = int(out[0]), int(out[1])
        flag = "ok" if estimate >= peak else "UNDER"
        print(f"{kind:5} {mode:5} {width}x{height}: estimate {estimate} MB, measured +{peak} MB  {flag}")


if __name__ == "__main__":
    calibrate() if "--calibrate" in sys.argv else run_server()
