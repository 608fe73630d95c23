"""One way to write a Vietnamese address: from the smallest unit to the largest.

Villagers type the address as the form asks ("Số nhà (nếu có), xã/phường, tỉnh") and the
thôn / xóm / bản in a field of its own. Every screen that shows an address (the carrier's
cards, the manifest, the receipt, the tracking page) writes it through format_address(), so
the thôn sits between the house and the commune: "Nhà số 12, Thôn Đông, xã Yên Bình, tỉnh
Thái Nguyên" — never after the province, and never left out.
"""
import unicodedata

# The words that open an administrative unit above the thôn (commune, district, province).
LARGER_UNITS = ("xã ", "phường ", "thị trấn ", "đặc khu ", "huyện ", "quận ", "thị xã ", "thành phố ",
                "tỉnh ", "tp ", "tp.")


def fold(text):
    return " ".join(unicodedata.normalize("NFC", text or "").casefold().split())


def _is_larger_unit(part):
    folded = fold(part)
    return folded.startswith(LARGER_UNITS)


def address_parts(address="", village=""):
    """The parts of the address, smallest first: the thôn goes before the first part that names a
    commune, district or province (at the end when none does), and is not repeated when the
    address already names it."""
    parts = [part.strip() for part in (address or "").split(",") if part.strip()]
    village = (village or "").strip()
    if village and not any(fold(village) == fold(part) for part in parts):
        at = next((i for i, part in enumerate(parts) if _is_larger_unit(part)), len(parts))
        parts.insert(at, village)
    return parts


def format_address(address="", village=""):
    """'Xã Yên Bình, tỉnh Thái Nguyên' + 'Thôn Đông' -> 'Thôn Đông, Xã Yên Bình, tỉnh Thái Nguyên'."""
    return ", ".join(address_parts(address, village))


def _delivery_fields(dossier):
    if (dossier.delivery_address or "").strip():
        return dossier.delivery_address, dossier.delivery_village
    return dossier.applicant_address, dossier.applicant_village


def delivery_address(dossier):
    """Where the result goes by post: the delivery address with its thôn, else the applicant's."""
    return format_address(*_delivery_fields(dossier))


def delivery_address_parts(dossier):
    return address_parts(*_delivery_fields(dossier))


def applicant_address(dossier):
    """The applicant's own address, with its thôn."""
    return format_address(dossier.applicant_address, dossier.applicant_village)
