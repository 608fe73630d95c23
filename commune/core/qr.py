"""QR codes (segno), for the catalog's posters, receipts, manifests and VietQR.

segno is imported on the first code drawn: the idle server does not carry it.
"""


def make_qr(text, error="m", micro=False):
    """A segno QR code for `text` (error correction "m": readable from a creased paper)."""
    import segno

    return segno.make(text, error=error, micro=micro)
