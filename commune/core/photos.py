"""The photo pipeline: check an upload by its content, then make it small, upright and anonymous.

Images (JPEG, PNG, WebP, HEIC/HEIF) come out as a re-encoded JPEG of at most
2000 px on the long edge, turned upright from their EXIF orientation, with every
piece of metadata (GPS location first) left behind, plus a ~320 px thumbnail.
PDFs (e.g. exported from VNeID) are checked and kept byte for byte.
Anything else is refused with a message the villager can act on.
"""
import hashlib
import io
import re
import warnings
from dataclasses import dataclass

from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from .i18n import N_
from .pdf_check import PdfProblem, inspect_pdf

try:  # HEIC/HEIF from iPhones; pillow-heif is in requirements.txt
    import pillow_heif

    pillow_heif.register_heif_opener()
    HEIF = True
except ImportError:  # pragma: no cover - only on a broken install
    HEIF = False

MAX_IMAGE_BYTES = 30 * 1024 * 1024  # a camera original; the phone usually sends ~300 KB
MAX_PDF_BYTES = 15 * 1024 * 1024
MAX_PDF_PAGES = 60
# Pixel cap checked from the header, before any decoding (a 200 MP phone photo is 200e6).
MAX_PIXELS = 210_000_000
# Formats without reduced-size decoding must stay smaller: they are decoded in full.
MAX_PIXELS_FULL_DECODE = 60_000_000
LONG_EDGE = 2000
THUMB_EDGE = 320
JPEG_QUALITY = 80
THUMB_QUALITY = 70
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "HEIF", "MPO"}

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


class PhotoError(ValueError):
    """An upload we refuse; str() is a clear Vietnamese message for the villager."""


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


def _open(data, filename):
    """Open without decoding; refuse unknown content and decompression bombs from the header."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        width, height = _header_size(data)
        raise PhotoError(_(MSG_PIXELS).format(w=width or "?", h=height or "?")) from error
    except UnidentifiedImageError as error:
        raise PhotoError(_(MSG_NOT_IMAGE).format(ext=_extension(filename))) from error
    except (OSError, ValueError, SyntaxError) as error:
        raise PhotoError(_(MSG_TRUNCATED)) from error
    if image.format not in ACCEPTED_FORMATS:
        raise PhotoError(_(MSG_FORMAT).format(fmt=image.format or "?"))
    width, height = image.size
    limit = MAX_PIXELS if image.format in ("JPEG", "MPO") else MAX_PIXELS_FULL_DECODE
    if width * height > limit or width <= 0 or height <= 0:
        raise PhotoError(_(MSG_PIXELS).format(w=width, h=height))
    return image


def _header_size(data):
    """Width and height from a PNG header (for the message when Pillow refuses to open at all)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return None, None


def _process_image(data, filename):
    image = _open(data, filename)
    try:
        if image.format in ("JPEG", "MPO"):
            # Decode at a reduced scale (1/2, 1/4, 1/8) when the photo is much bigger than needed.
            image.draft("RGB", (LONG_EDGE, LONG_EDGE))
        image.load()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        raise PhotoError(_(MSG_TRUNCATED)) from error
    # Only the orientation is read from the metadata. The GPS location and every other tag stay
    # behind: the pixels are pasted into a fresh image whose info dict is empty.
    image = _flatten(_upright(image))
    image.thumbnail((LONG_EDGE, LONG_EDGE), Image.Resampling.LANCZOS, reducing_gap=3.0)
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    out = _jpeg(clean, JPEG_QUALITY)
    thumb_image = clean.copy()
    thumb_image.thumbnail((THUMB_EDGE, THUMB_EDGE), Image.Resampling.LANCZOS)
    thumb = _jpeg(thumb_image, THUMB_QUALITY)
    return Processed(data=out, mime=JPEG, width=clean.width, height=clean.height, thumb=thumb,
                     sha256=hashlib.sha256(out).hexdigest(), size=len(out))


def _upright(image):
    """Apply the EXIF orientation tag (1-8) to the pixels."""
    try:
        return ImageOps.exif_transpose(image) or image
    except (OSError, ValueError, SyntaxError, KeyError, TypeError):
        return image  # unreadable EXIF: keep the pixels as they are


def _flatten(image):
    """RGB on a white background (transparent PNG/WebP pages become white, not black)."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
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
        pages = inspect_pdf(data)
    except PdfProblem as problem:
        raise PhotoError(_(PDF_PROBLEMS[problem.kind])) from problem
    if pages > MAX_PDF_PAGES:
        raise PhotoError(_(MSG_PDF_PAGES).format(pages=MAX_PDF_PAGES))
    return Processed(data=data, mime=PDF, width=None, height=None, thumb=None,
                     sha256=hashlib.sha256(data).hexdigest(), size=len(data))
