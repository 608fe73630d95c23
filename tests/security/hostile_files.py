"""Hostile files made by the tests: bombs of every format, tiny files that decode huge, polyglots,
renamed executables, truncated files. Each case: (bytes, file name, what the villager reads, or
None when the file may be stored because it is re-encoded or kept inert)."""
import io
import zlib

from PIL import Image

from tests.photos import images

PAYLOAD = b"<script>alert('xss')</script>"
TOO_BIG = "Ảnh có kích thước quá lớn"
NOT_IMAGE = "không phải là ảnh hay PDF"
BROKEN = "bị hỏng hoặc chưa tải hết"


def _chunk(kind, body):
    return len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")


def _save(image, fmt, **options):
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def real_png_bomb(width=7700, height=7700):
    """The issue's file: a transparent PNG of ~7,700 × 7,700 whose compressed rows take a few hundred KB."""
    ihdr = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 6, 0, 0, 0])
    compressor, row, parts = zlib.compressobj(9), b"\0" * (1 + width * 4), []
    for _ in range(height):
        parts.append(compressor.compress(row))
    parts.append(compressor.flush())
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", b"".join(parts)) + _chunk(b"IEND", b"")


def _png_with_chunk(kind, body):
    small = _save(Image.new("RGB", (64, 64), "white"), "PNG")
    return small[:33] + _chunk(kind, body) + small[33:]


def _jpeg_claiming(width, height, progressive=False):
    data = bytearray(_save(Image.new("RGB", (64, 48), "white"), "JPEG", progressive=progressive))
    sof = data.index(b"\xff\xc2" if progressive else b"\xff\xc0")
    data[sof + 5:sof + 7] = height.to_bytes(2, "big")
    data[sof + 7:sof + 9] = width.to_bytes(2, "big")
    return bytes(data)


def _webp_claiming(width, height):
    data = bytearray(_save(Image.new("RGB", (64, 64), "white"), "WEBP", lossless=True))
    start = data.index(b"VP8L") + 9
    flags = int.from_bytes(data[start:start + 4], "little") & ~((1 << 28) - 1)
    data[start:start + 4] = ((width - 1) | ((height - 1) << 14) | flags).to_bytes(4, "little")
    return bytes(data)


def _heic_claiming(width, height):
    data = bytearray(images.heic(64, 64))
    position = data.find(b"ispe")
    while position >= 0:
        data[position + 8:position + 16] = width.to_bytes(4, "big") + height.to_bytes(4, "big")
        position = data.find(b"ispe", position + 4)
    return bytes(data)


def _gif_claiming(width, height):
    data = bytearray(_save(Image.new("P", (8, 8)), "GIF"))
    data[6:10] = width.to_bytes(2, "little") + height.to_bytes(2, "little")
    return bytes(data)


def _half(data):
    return data[: len(data) // 2]


def _pdf_with_flate_bomb():
    """A one-page PDF whose content stream inflates to 400 MB."""
    stream = zlib.compress(b"0" * (400 * 1024 * 1024), 9)
    pdf = images.pdf(1)
    extra = (b"9 0 obj\n<< /Length " + str(len(stream)).encode() + b" /Filter /FlateDecode >>\nstream\n"
             + stream + b"\nendstream\nendobj\n")
    head, tail = pdf.split(b"xref\n", 1)
    body = head + extra
    tail = tail.rsplit(b"startxref\n", 1)[0] + b"startxref\n" + str(len(body)).encode() + b"\n%%EOF\n"
    return body + b"xref\n" + tail


def _zip_bomb():
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.txt", b"0" * (50 * 1024 * 1024))
    return buffer.getvalue()


CASES = {
    # Decompression bombs and tiny files that decode huge, in every format the pipeline reads.
    "png 7700x7700 transparent (the issue's file)": (real_png_bomb, "anh.png", "7700×7700"),
    "png header 65535x65535": (lambda: images.png_bomb(65535, 65535), "anh.png", TOO_BIG),
    "png zTXt inflating to 100 MB": (lambda: _png_with_chunk(
        b"zTXt", b"Comment\0\0" + zlib.compress(b"A" * (100 * 1024 * 1024), 9)), "anh.png", BROKEN),
    "png iCCP inflating to 100 MB": (lambda: _png_with_chunk(
        b"iCCP", b"icc\0\0" + zlib.compress(b"\0" * (100 * 1024 * 1024), 9)), "anh.png", BROKEN),
    "jpeg header 60000x60000": (lambda: _jpeg_claiming(60000, 60000), "anh.jpg", "60000×60000"),
    "progressive jpeg 9000x9000": (lambda: _jpeg_claiming(9000, 9000, progressive=True), "anh.jpg", "9000×9000"),
    "webp header 16383x16383": (lambda: _webp_claiming(16383, 16383), "anh.webp", TOO_BIG),
    "webp header 6000x6000": (lambda: _webp_claiming(6000, 6000), "anh.webp", "6000×6000"),
    "heic header 30000x30000": (lambda: _heic_claiming(30000, 30000), "anh.heic", TOO_BIG),
    "gif header 65535x65535": (lambda: _gif_claiming(65535, 65535), "anh.gif", "Không nhận loại ảnh GIF"),
    "tiff": (lambda: _save(Image.new("RGB", (8, 8)), "TIFF"), "anh.tif", "Không nhận loại ảnh TIFF"),
    "bmp": (lambda: _save(Image.new("RGB", (8, 8)), "BMP"), "anh.bmp", "Không nhận loại ảnh BMP"),
    "pdf with a 400 MB flate stream": (_pdf_with_flate_bomb, "giay.pdf", None),
    "zip bomb renamed .jpg": (_zip_bomb, "anh.jpg", NOT_IMAGE),
    # Polyglots: a picture carrying a script or an archive comes out re-encoded, without it.
    "jpeg with html appended": (lambda: images.jpeg(300, 200) + b"<html>" + PAYLOAD, "anh.jpg", None),
    "png with a script in a text chunk": (lambda: _png_with_chunk(b"tEXt", b"Comment\0" + PAYLOAD), "a.png", None),
    "jpeg with a zip appended": (lambda: images.jpeg(300, 200) + _zip_bomb(), "anh.jpg", None),
    "pdf that is also html": (lambda: images.pdf(1).replace(b"%PDF-1.4\n", b"%PDF-1.4\n%" + PAYLOAD + b"\n"),
                              "giay.pdf", None),
    "html renamed .jpg": (lambda: b"<!doctype html><html><body>" + PAYLOAD, "anh.jpg", NOT_IMAGE),
    "svg with a script": (lambda: b'<svg xmlns="http://www.w3.org/2000/svg">' + PAYLOAD + b"</svg>", "anh.png",
                          "Không nhận ảnh SVG"),
    # Renamed executables.
    "linux program renamed .jpg": (lambda: b"\x7fELF\x02\x01\x01" + b"\0" * 2000, "anh.jpg", NOT_IMAGE),
    "windows program renamed .pdf": (lambda: b"MZ\x90\0" + b"\0" * 60 + b"PE\0\0" + b"\0" * 2000, "giay.pdf",
                                     "(dù tên có đuôi .pdf)"),
    "shell script renamed .heic": (lambda: b"#!/bin/sh\nrm -rf /\n", "anh.heic", NOT_IMAGE),
    # Truncated files (a dropped connection, or on purpose).
    "truncated png": (lambda: _half(images.png(800, 600, "RGB")), "anh.png", BROKEN),
    "truncated webp": (lambda: _half(_save(Image.effect_noise((400, 300), 60).convert("RGB"), "WEBP")),
                       "anh.webp", BROKEN),
    "truncated heic": (lambda: _half(images.heic(320, 240)), "anh.heic", NOT_IMAGE),
    "truncated pdf": (lambda: _half(images.pdf(3)), "giay.pdf", "Tệp PDF bị hỏng"),
    "empty file": (lambda: b"", "anh.jpg", "Tệp trống"),
}
