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
    color = (10, 120, 200, 0) if mode == "RGBA" else 90 if mode == "L" else "blue"
    Image.new(mode, (width, height), color).save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()


def heic(width=320, height=240):
    import pillow_heif

    pillow_heif.register_heif_opener()
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (20, 160, 60)).save(buffer, format="HEIF")
    return buffer.getvalue()


def _chunk(kind, body):
    return len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")


def png_bomb(width=30000, height=30000, color_type=2):
    """A tiny PNG whose header claims a huge picture (a decompression bomb's calling card); 6 is RGBA."""
    ihdr = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, color_type, 0, 0, 0])
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def pdf(pages=1, padding=0, catalog_extra=b""):
    """A small, well-formed PDF 1.4 with `pages` pages, a classic xref table (and optional filler bytes)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>"]
    kids = " ".join(f"{3 + i} 0 R" for i in range(pages)).encode()
    objects.append(b"<< /Type /Pages /Kids [" + kids + b"] /Count " + str(pages).encode() + b" >>")
    for _ in range(pages):
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>")
    body, offsets = b"%PDF-1.4\n", []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(body))
        body += str(number).encode() + b" 0 obj\n" + obj + b"\nendobj\n"
    if padding:
        body += b"%" + b"0" * padding + b"\n"
    xref = f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    xref += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    trailer = f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{len(body)}\n%%EOF\n".encode()
    return body + xref + trailer


def pdf_with_object_stream(pages=1, hidden=b""):
    """A PDF 1.5 as phone apps write them: the pages (and `hidden`, as the catalog's /OpenAction)
    sit in a Flate-compressed object stream, indexed by a compressed cross-reference stream."""
    page_numbers = [4 + i for i in range(pages)]
    kids = " ".join(f"{n} 0 R" for n in page_numbers)
    inner = {2: f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(), 3: hidden or b"<< >>"}
    inner.update({n: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>" for n in page_numbers})
    head, packed = [], b""
    for number, obj in inner.items():
        head.append(f"{number} {len(packed)}")
        packed += obj + b"\n"
    head = (" ".join(head) + "\n").encode()
    stream_number, xref_number = 4 + pages, 5 + pages
    catalog = b"<< /Type /Catalog /Pages 2 0 R" + (b" /OpenAction 3 0 R" if hidden else b"") + b" >>"
    out, offsets = b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n", {}
    offsets[1] = len(out)
    out += b"1 0 obj\n" + catalog + b"\nendobj\n"
    data = zlib.compress(head + packed)
    offsets[stream_number] = len(out)
    out += (f"{stream_number} 0 obj\n<< /Type /ObjStm /N {len(inner)} /First {len(head)} /Filter /FlateDecode "
            f"/Length {len(data)} >>\nstream\n").encode() + data + b"\nendstream\nendobj\n"
    offsets[xref_number] = len(out)
    position = {number: index for index, number in enumerate(inner)}
    rows = [bytes([0]) + bytes(4) + (65535).to_bytes(2, "big")]
    for number in range(1, xref_number + 1):
        if number in offsets:
            rows.append(bytes([1]) + offsets[number].to_bytes(4, "big") + bytes(2))
        else:
            rows.append(bytes([2]) + stream_number.to_bytes(4, "big") + position[number].to_bytes(2, "big"))
    table = zlib.compress(b"".join(rows))
    out += (f"{xref_number} 0 obj\n<< /Type /XRef /Size {xref_number + 1} /W [1 4 2] /Root 1 0 R "
            f"/Filter /FlateDecode /Length {len(table)} >>\nstream\n").encode() + table + b"\nendstream\nendobj\n"
    return out + f"startxref\n{offsets[xref_number]}\n%%EOF\n".encode()
