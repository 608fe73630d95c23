"""Photo pipeline figures: time and sizes for camera-like photos (run: .venv/bin/python bench/photo_pipeline.py)."""
import io
import os
import random
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from PIL import Image, ImageChops, ImageDraw, ImageFilter  # noqa: E402

from commune.files.photos import process_upload  # noqa: E402


def camera_photo(width, height, quality=92):
    """A photographed paper page: text lines on off-white paper, uneven light, sensor noise, EXIF orientation 6."""
    rng = random.Random(width)
    page = Image.new("L", (width, height), 235)
    draw = ImageDraw.Draw(page)
    step = height // 60
    for y in range(height // 10, height - height // 10, step):
        x = width // 12
        while x < width - width // 12:
            word = rng.randint(width // 80, width // 25)
            draw.rectangle((x, y, x + word, y + step // 2), fill=rng.randint(20, 70))
            x += word + width // 120
    light = Image.linear_gradient("L").resize((width, height)).point(lambda v: 255 - v // 6)
    page = ImageChops.multiply(page, light)
    noise = Image.effect_noise((width, height), 10)
    page = ImageChops.add(page, noise, scale=1.0, offset=-128).filter(ImageFilter.GaussianBlur(0.8))
    rgb = Image.merge("RGB", (page, page, page.point(lambda v: max(0, v - 12))))
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    rgb.save(buffer, "JPEG", quality=quality, exif=exif.tobytes())
    return buffer.getvalue()


def phone_shrink(data):
    """What upload.js sends: long edge 1600 px, JPEG quality 0.75 (approximated with Pillow)."""
    image = Image.open(io.BytesIO(data))
    image.draft("RGB", (1600, 1600))
    image.thumbnail((1600, 1600))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=75)
    return buffer.getvalue()


def main():
    for width, height in ((4000, 3000), (4624, 3472), (8160, 6120)):
        original = camera_photo(width, height)
        times = []
        for _ in range(3):
            started = time.perf_counter()
            result = process_upload(original, "IMG.jpg")
            times.append((time.perf_counter() - started) * 1000)
        sent = phone_shrink(original)
        print(f"{width}x{height}: camera file {len(original) / 1e6:.1f} MB -> sent by the phone "
              f"{len(sent) / 1e3:.0f} KB; server (no JS) {statistics.median(times):.0f} ms median, "
              f"stored {result.width}x{result.height} {result.size / 1e3:.0f} KB, "
              f"thumbnail {len(result.thumb) / 1e3:.1f} KB")
    started = time.perf_counter()
    result = process_upload(phone_shrink(camera_photo(4000, 3000)), "IMG.jpg")
    elapsed = (time.perf_counter() - started) * 1000
    print(f"already shrunk by the phone: server {elapsed:.0f} ms, stored {result.size / 1e3:.0f} KB")


if __name__ == "__main__":
    main()
