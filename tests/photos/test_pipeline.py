"""The photo pipeline: phone photos come out upright, small and anonymous; bad files get their own answer."""
import io

import pytest
from PIL import Image, ImageFile

from commune.files import photos
from commune.files.photos import PhotoError, process_upload
from tests.photos import images


def test_a_sideways_camera_photo_comes_out_upright_small_and_without_location():
    original = images.jpeg(4000, 3000, orientation=6, gps=True)
    assert b"Exif" in original

    result = process_upload(original, "IMG_2041.JPG")

    assert result.mime == "image/jpeg"
    assert (result.width, result.height) == (1500, 2000)  # turned upright, long edge 2000
    picture = Image.open(io.BytesIO(result.data))
    assert picture.size == (1500, 2000)
    # Orientation 6 = rotate 90° clockwise: the coloured left half of the sensor is now the top.
    assert picture.getpixel((750, 200))[0] > 150 and picture.getpixel((750, 200))[1] < 100
    assert picture.getpixel((750, 1800)) >= (240, 240, 240)
    assert len(picture.getexif()) == 0
    assert "exif" not in picture.info and b"Exif" not in result.data and b"PhoneMaker" not in result.data
    assert result.size == len(result.data) < 400_000
    thumb = Image.open(io.BytesIO(result.thumb))
    assert max(thumb.size) == 320 and len(thumb.getexif()) == 0
    assert result.sha256 == __import__("hashlib").sha256(result.data).hexdigest()


def test_an_iphone_heic_photo_is_converted_to_jpeg():
    result = process_upload(images.heic(640, 480), "IMG_0001.HEIC")
    assert result.mime == "image/jpeg"
    assert Image.open(io.BytesIO(result.data)).format == "JPEG"
    assert (result.width, result.height) == (640, 480)


def test_png_and_webp_are_accepted_and_transparency_turns_white():
    result = process_upload(images.png(300, 200, "RGBA"), "scan.png")
    assert Image.open(io.BytesIO(result.data)).getpixel((10, 10)) >= (250, 250, 250)
    buffer = io.BytesIO()
    Image.new("RGB", (100, 80), "green").save(buffer, "WEBP")
    assert process_upload(buffer.getvalue(), "x.webp").mime == "image/jpeg"


def test_a_small_photo_is_not_enlarged():
    result = process_upload(images.jpeg(800, 600), "small.jpg")
    assert (result.width, result.height) == (800, 600)


def test_a_compressed_pdf_from_a_phone_app_is_kept_byte_for_byte():
    data = images.pdf_with_object_stream(pages=5)
    assert b"/Type /Page " not in data  # the pages are only inside the compressed stream
    result = process_upload(data, "so-ho-khau.pdf")
    assert result.mime == "application/pdf" and result.data == data


def test_a_pdf_from_vneid_is_kept_byte_for_byte():
    data = images.pdf(pages=3)
    result = process_upload(data, "giay-khai-sinh.pdf")
    assert result.mime == "application/pdf" and result.data == data
    assert result.width is None and result.height is None and result.thumb is None


def _truncated_jpeg():
    data = images.jpeg(1200, 900, quality=95)
    return data[: len(data) // 2]


BAD_FILES = {
    "empty": (lambda: b"", "trang.jpg", "Tệp trống"),
    "text renamed .jpg": (lambda: b"Xin chao, day la mot tep van ban.\n" * 20, "anh.jpg",
                          "không phải là ảnh hay PDF (dù tên có đuôi .jpg)"),
    "truncated jpeg": (_truncated_jpeg, "anh.jpg", "bị hỏng hoặc chưa tải hết"),
    "40 MB photo": (lambda: b"\xff\xd8\xff\xe0" + b"\0" * (40 * 1024 * 1024), "anh.jpg", "Ảnh quá lớn"),
    "30000x30000 png": (lambda: images.png_bomb(30000, 30000), "anh.png", "30000×30000"),
    "svg": (lambda: b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "a.jpg",
            "Không nhận ảnh SVG"),
    "huge pdf": (lambda: images.pdf(1, padding=16 * 1024 * 1024), "a.pdf", "Tệp PDF quá lớn"),
    "pdf with too many pages": (lambda: images.pdf(pages=photos.MAX_PDF_PAGES + 1), "a.pdf", "quá nhiều trang"),
    "broken pdf": (lambda: b"%PDF-1.4\n1 0 obj\n<< /Type /Page", "a.pdf", "Tệp PDF bị hỏng"),
    "pdf with javascript": (lambda: images.pdf(1).replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction "
                                                          b"<< /S /JavaScript /JS (app.alert(1)) >>"),
                            "a.pdf", "mã chạy tự động"),
    "pdf with a password": (lambda: _locked_pdf(), "a.pdf", "có mật khẩu"),
    "gif": (lambda: _gif(), "a.gif", "Không nhận loại ảnh GIF"),
}


# What a byte search misses: refused with the message of the problem it hides.
HIDDEN_IN_PDF = {
    "pdf pages inside an object stream": (lambda: images.pdf_with_object_stream(photos.MAX_PDF_PAGES + 1),
                                          "a.pdf", "quá nhiều trang"),
    "pdf javascript inside an object stream": (
        lambda: images.pdf_with_object_stream(1, hidden=b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"),
        "a.pdf", "mã chạy tự động"),
    "pdf launch action behind an escaped name": (
        lambda: images.pdf(1, catalog_extra=b"/OpenAction << /S /L#61unch /F (cmd.exe) >> "),
        "a.pdf", "mã chạy tự động"),
    "pdf with an attached file": (
        lambda: images.pdf(1, catalog_extra=b"/Names << /E#6dbeddedFiles << /Names [] >> >> "),
        "a.pdf", "mã chạy tự động"),
    "pdf without pages": (lambda: images.pdf(0), "a.pdf", "Tệp PDF bị hỏng"),
}


def _locked_pdf():
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt("mat-khau", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _gif():
    buffer = io.BytesIO()
    Image.new("P", (10, 10)).save(buffer, "GIF")
    return buffer.getvalue()


@pytest.mark.parametrize("case", {**BAD_FILES, **HIDDEN_IN_PDF}, ids=[*BAD_FILES, *HIDDEN_IN_PDF])
def test_each_bad_file_is_refused_with_its_own_clear_message(case):
    make, name, expected = {**BAD_FILES, **HIDDEN_IN_PDF}[case]
    with pytest.raises(PhotoError) as refused:
        process_upload(make(), name)
    assert expected in str(refused.value)


def test_the_bad_file_messages_are_all_different():
    messages = set()
    for make, name, _expected in BAD_FILES.values():
        with pytest.raises(PhotoError) as refused:
            process_upload(make(), name)
        messages.add(str(refused.value))
    assert len(messages) == len(BAD_FILES)


def test_the_decoded_size_cap_is_checked_before_decoding(monkeypatch):
    """The issue's 247 KB transparent PNG of 7,700 × 7,700 pixels: refused from its header, nothing decoded."""
    decoded = []
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: decoded.append(1))
    with pytest.raises(PhotoError, match="7700×7700"):
        process_upload(images.png_bomb(7700, 7700, color_type=6), "a.png")
    assert decoded == []


def test_the_cap_counts_decoded_bytes_not_pixels(app):
    """The same pixel count passes in greyscale (1 byte a pixel) and is refused with transparency (4 + a copy)."""
    app.config["COMMUNE_DECODE_MB"] = 120
    assert process_upload(images.png(6000, 6000, "L"), "xam.png").width == 2000
    with pytest.raises(PhotoError, match="6000×6000"):
        process_upload(images.png_bomb(6000, 6000, color_type=6), "trong-suot.png")
