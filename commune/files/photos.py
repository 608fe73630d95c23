"""The photo pipeline: check an upload by its content, then make it small, upright and anonymous.

Images (JPEG, PNG, WebP, HEIC/HEIF) come out as a re-encoded JPEG of at most
2000 px on the long edge, turned upright from their EXIF orientation, with every
piece of metadata (GPS location first) left behind, plus a ~320 px thumbnail.
PDFs (e.g. exported from VNeID) are checked and kept byte for byte.
Anything else is refused with a message the villager can act on.

Memory is bounded before a pixel is decoded: the header gives the size, mode and
format, from which `decode_cost()` estimates the bytes decoding will need (pixel
buffers per mode, the decoder's own buffers per format); over COMMUNE_DECODE_MB the
file is refused. Only the accepted formats are parsed at all. A big picture is shrunk
right after decoding (JPEG: decoded at 1/2-1/8 scale; others: an integer box
reduction) and its full-size buffer freed before any conversion, so conversions work
on a picture of about 2000 px. At most COMMUNE_DECODE_SLOTS uploads decode at once
(core/decode_slots.py); see docs/security.md.
"""
import hashlib
import io
import re
import warnings
from dataclasses import dataclass

from flask import current_app, has_app_context
from flask_babel import gettext as _
from PIL import Image, PngImagePlugin, UnidentifiedImageError

from ..core.i18n import N_
from ..core.kept import memo
from .decode_slots import DecodeBusy, decode_slot
from .pdf_check import PdfProblem, inspect_pdf

MAX_IMAGE_BYTES = 30 * 1024 * 1024  # a camera original; the phone usually sends ~300 KB
MAX_PDF_BYTES = 15 * 1024 * 1024
MAX_PDF_PAGES = 60
# Pixel cap checked from the header, before any decoding (a 200 MP phone photo is 200e6).
MAX_PIXELS = 210_000_000
# Decoding memory cap (COMMUNE_DECODE_MB): what decode_cost() estimates for one file.
DEFAULT_DECODE_MB = 256
LONG_EDGE = 2000
THUMB_EDGE = 320
JPEG_QUALITY = 80
THUMB_QUALITY = 70
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "HEIF", "MPO"}
ORIENTATION_TAG = 0x0112
# Other pictures are recognised by their first bytes only, to name them in the refusal: Pillow never parses them.
OTHER_FORMATS = ((b"GIF8", "GIF"), (b"II*\0", "TIFF"), (b"MM\0*", "TIFF"), (b"BM", "BMP"), (b"8BPS", "PSD"),
                 (b"\0\0\1\0", "ICO"), (b"\xff\x0a", "JPEG XL"), (b"\0\0\0\x0cJXL ", "JPEG XL"),
                 (b"\x00\x00\x00\x0cjP  ", "JPEG 2000"), (b"qoif", "QOI"), (b"DDS ", "DDS"))
# Bytes of one pixel in Pillow's buffers: one byte for 1/L/P, two for I;16*, four for every other mode.
_ONE_BYTE_MODES = {"1", "L", "P"}
# Decoders that hold more than the picture: WebP returns a copy of its canvas; libheif keeps its
# YCbCr planes and an RGB(A) buffer beside Pillow's; a progressive JPEG keeps every DCT coefficient
# (2 bytes per sample) until the last scan.
# Measured with bench/upload_memory.py --calibrate; each figure is rounded up.
FORMAT_EXTRA_BYTES = {"WEBP": 12, "HEIF": 3}  # per pixel, beside Pillow's own buffer
PROGRESSIVE_JPEG_BYTES_PER_SAMPLE = 2
# Box reduction of a transparent picture works on a premultiplied full-size copy; a 1-bit
# picture is first made greyscale. Palette and 16-bit pictures get a nearest-pixel copy.
MODE_EXTRA_BYTES = {"RGBA": 4, "LA": 4, "1": 1}
NEAREST_MODES = {"P", "I;16", "I;16B", "I;16L", "I;16N"}
ALPHA_MODES = {"RGBA", "LA", "PA", "P"}
# The fresh image, the JPEG and the thumbnail, at LONG_EDGE.
SHRUNK_WORKING_BYTES = 2 * LONG_EDGE * LONG_EDGE * 4
# zTXt/iTXt/iCCP chunks are decompressed when the header is read; no real photo needs more than this.
PngImagePlugin.MAX_TEXT_MEMORY = 4 * 1024 * 1024

JPEG = "image/jpeg"
PDF = "application/pdf"

# Messages (Vietnamese msgids, translated when raised; outside a request they stay Vietnamese).
MSG_EMPTY = N_("Tệp trống (0 byte). Hãy chụp hoặc chọn lại ảnh.")
MSG_IMAGE_TOO_BIG = N_("Ảnh quá lớn (tối đa {mb} MB). Hãy chụp lại ảnh hoặc chọn ảnh nhỏ hơn.")
MSG_PDF_TOO_BIG = N_("Tệp PDF quá lớn (tối đa {mb} MB). Hãy gửi từng phần hoặc chụp ảnh từng trang.")
MSG_PDF_PAGES = N_("Tệp PDF có quá nhiều trang (tối đa {pages} trang). Hãy chỉ gửi các trang cần thiết.")
MSG_PDF_BROKEN = N_("Tệp PDF bị hỏng hoặc chưa tải hết. Hãy xuất lại tệp PDF rồi gửi lại.")
MSG_PDF_ACTIVE = N_("Tệp PDF có chứa mã chạy tự động nên không được nhận. Hãy chụp ảnh giấy tờ thay thế.")
MSG_PDF_LOCKED = N_("Tệp PDF có mật khẩu nên cán bộ không mở được. Hãy xuất lại tệp không đặt mật khẩu "
                    "hoặc chụp ảnh giấy tờ.")
MSG_PDF_COMPLEX = N_("Tệp PDF quá phức tạp để kiểm tra. Hãy xuất lại tệp PDF hoặc chụp ảnh từng trang.")
PDF_PROBLEMS = {"broken": MSG_PDF_BROKEN, "encrypted": MSG_PDF_LOCKED, "active": MSG_PDF_ACTIVE,
                "complex": MSG_PDF_COMPLEX}
MSG_SVG = N_("Không nhận ảnh SVG. Hãy gửi ảnh chụp (JPG, PNG, HEIC) hoặc tệp PDF.")
MSG_NOT_IMAGE = N_("Tệp này không phải là ảnh hay PDF (dù tên có đuôi .{ext}). "
                   "Hãy gửi ảnh chụp (JPG, PNG, WebP, HEIC) hoặc tệp PDF.")
MSG_FORMAT = N_("Không nhận loại ảnh {fmt}. Hãy gửi ảnh JPG, PNG, WebP, HEIC hoặc tệp PDF.")
MSG_PIXELS = N_("Ảnh có kích thước quá lớn ({w}×{h} điểm ảnh). "
                "Hãy chụp lại bằng máy ảnh của điện thoại hoặc chọn ảnh nhỏ hơn.")
MSG_TRUNCATED = N_("Ảnh bị hỏng hoặc chưa tải hết. Hãy chụp hoặc chọn lại ảnh.")
MSG_BUSY = N_("Máy chủ đang bận, ảnh chưa được lưu. Vui lòng gửi lại.")
# What the upload script shows while it waits to send the photo again by itself.
MSG_BUSY_RETRYING = N_("Máy chủ đang bận, đang thử lại…")


class PhotoError(ValueError):
    """An upload we refuse; str() is a clear Vietnamese message for the villager."""


class UploadBusy(PhotoError):
    """No decoding slot came free in time: nothing was stored, the same upload may be sent again."""

    retry_after = 5


@dataclass
class Processed:
    """What is stored for one uploaded page."""

    data: bytes
    mime: str
    width: int | None
    height: int | None
    thumb: bytes | None
    sha256: str
    size: int


def process_upload(data: bytes, filename: str) -> Processed:
    """Check `data` by its content and return the bytes to store (re-encoded photo or PDF as-is)."""
    data = bytes(data or b"")
    if not data:
        raise PhotoError(_(MSG_EMPTY))
    if data.startswith(b"%PDF-"):
        return _process_pdf(data)
    if _looks_like_svg(data):
        raise PhotoError(_(MSG_SVG))
    if len(data) > MAX_IMAGE_BYTES:
        raise PhotoError(_(MSG_IMAGE_TOO_BIG).format(mb=MAX_IMAGE_BYTES // (1024 * 1024)))
    return _process_image(data, filename)


def _looks_like_svg(data):
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in data[:4096].lower())


def _extension(filename):
    name = (filename or "").rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower()[:10] if "." in name else "jpg"


def max_decode_bytes():
    """The decoding memory cap for one file (COMMUNE_DECODE_MB)."""
    mb = current_app.config.get("COMMUNE_DECODE_MB") if has_app_context() else None
    return int(mb or DEFAULT_DECODE_MB) * 1024 * 1024


@memo(maxsize=None)
def register_heif():
    """Teach Pillow HEIC/HEIF (iPhones) on the first decode: the idle server does not carry
    pillow-heif (~10 MB). False only on a broken install."""
    try:
        import pillow_heif
    except ImportError:  # pragma: no cover - pillow-heif is in requirements.txt
        return False
    pillow_heif.register_heif_opener()
    return True


def _formats():
    register_heif()
    Image.init()
    return [name for name in ("JPEG", "PNG", "WEBP", "HEIF") if name in Image.OPEN]


def _open(data, filename):
    """Open without decoding; refuse unknown content and pictures too big to decode, from the header."""
    try:
        with warnings.catch_warnings():
            # Pillow warns above 89 MP; our own caps below decide (with the size in the message).
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=_formats())
    except Image.DecompressionBombError as error:
        width, height = _header_size(data)
        raise PhotoError(_(MSG_PIXELS).format(w=width or "?", h=height or "?")) from error
    except UnidentifiedImageError as error:
        other = next((name for magic, name in OTHER_FORMATS if data.startswith(magic)), None)
        if other:
            raise PhotoError(_(MSG_FORMAT).format(fmt=other)) from error
        raise PhotoError(_(MSG_NOT_IMAGE).format(ext=_extension(filename))) from error
    except (OSError, ValueError, SyntaxError, EOFError) as error:
        raise PhotoError(_(MSG_TRUNCATED)) from error
    if image.format not in ACCEPTED_FORMATS:
        raise PhotoError(_(MSG_FORMAT).format(fmt=image.format or "?"))
    width, height = image.size
    if width <= 0 or height <= 0 or width * height > MAX_PIXELS or decode_cost(image) > max_decode_bytes():
        raise PhotoError(_(MSG_PIXELS).format(w=width, h=height))
    return image


def pixel_bytes(mode):
    """Bytes per pixel of Pillow's buffer for `mode`."""
    if mode in _ONE_BYTE_MODES:
        return 1
    return 2 if mode.startswith("I;16") else 4


def _draft_scale(width, height):
    """The reduction JPEG draft mode will pick for a LONG_EDGE box (1, 2, 4 or 8)."""
    scale = min(width // LONG_EDGE, height // LONG_EDGE)
    return next((d for d in (8, 4, 2) if scale >= d), 1)


def decode_cost(image):
    """Bytes decoding and shrinking `image` (opened, not loaded) will hold at their peak, from its header."""
    width, height = image.size
    pixels = width * height
    if image.format in ("JPEG", "MPO"):
        scale = _draft_scale(width, height)
        width, height = -(-width // scale), -(-height // scale)
        cost = width * height * 4
        if image.info.get("progressive") or image.info.get("progression"):
            cost += pixels * len(image.getbands()) * PROGRESSIVE_JPEG_BYTES_PER_SAMPLE
    else:
        cost = pixels * (pixel_bytes(image.mode) + FORMAT_EXTRA_BYTES.get(image.format, 0))
        if max(width, height) >= 2 * LONG_EDGE:
            cost += pixels * MODE_EXTRA_BYTES.get(image.mode, 0)  # the full-size copy _reduce() makes
            if image.mode in NEAREST_MODES:  # nearest-pixel copy, then RGB(A) at twice LONG_EDGE
                width, height = _fit((width, height), 2 * LONG_EDGE)
                cost += width * height * (pixel_bytes(image.mode) + 8)
    factor = max(1, max(width, height) // LONG_EDGE)
    shrunk = -(-width // factor) * -(-height // factor) * 4
    if factor >= 2:
        cost += shrunk  # the reduced copy beside the full-size buffer
    if image.mode in ALPHA_MODES:
        cost += shrunk  # flattening onto white: a background and the alpha channel
    return cost + shrunk + SHRUNK_WORKING_BYTES


def _header_size(data):
    """Width and height from a PNG or JPEG header (for the message when Pillow refuses to open at all)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if data.startswith(b"\xff\xd8"):
        position = 2
        while position + 9 <= len(data) and data[position] == 0xFF:
            marker, length = data[position + 1], int.from_bytes(data[position + 2:position + 4], "big")
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                return (int.from_bytes(data[position + 7:position + 9], "big"),
                        int.from_bytes(data[position + 5:position + 7], "big"))
            position += 2 + length
    return None, None


def _process_image(data, filename):
    image = _open(data, filename)
    try:
        with decode_slot():
            return _shrink_and_encode(image)
    except DecodeBusy as busy:
        raise UploadBusy(_(MSG_BUSY)) from busy
    finally:
        image.close()


def _shrink_and_encode(image):
    """Decode (reduced when the format allows), shrink, free the big buffer, then turn and encode."""
    if image.format in ("JPEG", "MPO"):
        # Decode at a reduced scale (1/2, 1/4, 1/8) when the photo is much bigger than needed.
        image.draft("RGB", (LONG_EDGE, LONG_EDGE))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image.load()
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError) as error:
        raise PhotoError(_(MSG_TRUNCATED)) from error
    # Only the orientation is read from the metadata. The GPS location and every other tag stay
    # behind: the pixels are pasted into a fresh image whose info dict is empty.
    orientation = _orientation(image)
    picture = _reduce(image)
    if picture is not image:
        image.close()  # the full-size buffer goes before any conversion
    picture = _flatten(picture)
    picture.thumbnail((LONG_EDGE, LONG_EDGE), Image.Resampling.LANCZOS, reducing_gap=3.0)
    if orientation in _TRANSPOSE:
        picture = picture.transpose(_TRANSPOSE[orientation])
    clean = Image.new("RGB", picture.size)
    clean.paste(picture)
    picture.close()
    out = _jpeg(clean, JPEG_QUALITY)
    thumb_image = clean.resize(_fit(clean.size, THUMB_EDGE), Image.Resampling.LANCZOS, reducing_gap=2.0)
    thumb = _jpeg(thumb_image, THUMB_QUALITY)
    return Processed(data=out, mime=JPEG, width=clean.width, height=clean.height, thumb=thumb,
                     sha256=hashlib.sha256(out).hexdigest(), size=len(out))


def _fit(size, edge):
    """`size` scaled down (never up) so its long side is `edge`."""
    width, height = size
    scale = min(1.0, edge / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _reduce(image):
    """A box-averaged copy between one and two LONG_EDGE, or `image` itself when already small enough."""
    if max(image.size) < 2 * LONG_EDGE:
        return image
    if image.mode == "1":
        image = image.convert("L")
    elif image.mode in NEAREST_MODES:
        # Palette and 16-bit pictures cannot be box-reduced: a nearest-pixel copy at twice the
        # final size first (text stays readable), then a mode that can be.
        image = image.resize(_fit(image.size, 2 * LONG_EDGE), Image.Resampling.NEAREST)
        image = _flatten(image, keep_alpha=True)
    factor = max(image.size) // LONG_EDGE
    return image.reduce(factor) if factor >= 2 else image


_TRANSPOSE = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
              5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
              8: Image.Transpose.ROTATE_90}


def _orientation(image):
    """The EXIF orientation tag (1-8), or 1 when absent or unreadable."""
    try:
        return int(image.getexif().get(ORIENTATION_TAG, 1))
    except (OSError, ValueError, SyntaxError, KeyError, TypeError, AttributeError):
        return 1  # unreadable EXIF: keep the pixels as they are


def _flatten(image, keep_alpha=False):
    """RGB on a white background (transparent PNG/WebP pages become white, not black); RGBA if `keep_alpha`."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image if image.mode == "RGBA" else image.convert("RGBA")
        if keep_alpha:
            return rgba
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode.startswith("I;16"):
        image = image.convert("I").point(lambda value: value / 256).convert("L")  # 16 bits to 8
    if image.mode != "RGB":
        return image.convert("RGB")
    return image


def _jpeg(image, quality):
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality, optimize=True, progressive=True)
    return buffer.getvalue()


_ACTIVE_RE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile)(?![a-zA-Z])")


def _process_pdf(data):
    """Check a PDF's size, header, end marker, structure, pages and active content; keep its bytes unchanged."""
    if len(data) > MAX_PDF_BYTES:
        raise PhotoError(_(MSG_PDF_TOO_BIG).format(mb=MAX_PDF_BYTES // (1024 * 1024)))
    if not re.match(rb"%PDF-\d\.\d", data[:8]) or b"%%EOF" not in data[-2048:]:
        raise PhotoError(_(MSG_PDF_BROKEN))
    if _ACTIVE_RE.search(data):  # a quick look at the raw bytes first (also catches stray objects)
        raise PhotoError(_(MSG_PDF_ACTIVE))
    try:
        with decode_slot():  # reading a PDF's object streams decompresses them: the same bound as pictures
            pages = inspect_pdf(data)
    except DecodeBusy as busy:
        raise UploadBusy(_(MSG_BUSY)) from busy
    except PdfProblem as problem:
        raise PhotoError(_(PDF_PROBLEMS[problem.kind])) from problem
    if pages > MAX_PDF_PAGES:
        raise PhotoError(_(MSG_PDF_PAGES).format(pages=MAX_PDF_PAGES))
    return Processed(data=data, mime=PDF, width=None, height=None, thumb=None,
                     sha256=hashlib.sha256(data).hexdigest(), size=len(data))
