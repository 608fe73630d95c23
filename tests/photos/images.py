"""Real files for the photo tests, made with Pillow and pillow-heif."""
import io
import zlib

from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def jpeg(width=400, height=300, orientation=None, gps=False, color=(200, 30, 30), quality=85):
    """A JPEG whose left half is coloured and right half white (so rotation is visible)."""
    image = Image.new("RGB", (width, height), "white")
    image.paste(color, (0, 0, width // 2, height))
    exif = Image.Exif()
    if orientation:
        exif[ORIENTATION] = orientation
    if gps:
        exif[0x010F] = "PhoneMaker"
        exif.get_ifd(GPS_IFD).update({1: "N", 2: (21.0, 1.0, 30.0), 3: "E", 4: (105.0, 48.0, 12.0)})
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality, exif=exif.tobytes() if len(exif) else b"")
    return buffer.getvalue()


def png(width=300, height=200, mode="RGBA"):
    buffer = io.BytesIO()
    Image.new(mode, (width, height), (10, 120, 200, 0) if mode == "RGBA" else "blue").save(buffer, "PNG")
    return buffer.getvalue()


def heic(width=320, height=240):
    import pillow_heif

    pillow_heif.register_heif_opener()
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (20, 160, 60)).save(buffer, format="HEIF")
    return buffer.getvalue()


def _chunk(kind, body):
    return len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")


def png_bomb(width=30000, height=30000):
    """A tiny PNG whose header claims a huge picture (a decompression bomb's calling card)."""
    ihdr = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def pdf(pages=1, padding=0):
    """A small valid-looking PDF with `pages` pages (and optional filler bytes)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{3 + i} 0 R" for i in range(pages)).encode()
    objects.append(b"<< /Type /Pages /Kids [" + kids + b"] /Count " + str(pages).encode() + b" >>")
    for _ in range(pages):
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>")
    body = b"%PDF-1.7\n"
    for number, obj in enumerate(objects, start=1):
        body += str(number).encode() + b" 0 obj\n" + obj + b"\nendobj\n"
    if padding:
        body += b"%" + b"0" * padding + b"\n"
    return body + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
