"""What the receipt shows: documents and page counts, the expected date, the QR code."""
from collections import Counter
from dataclasses import dataclass

from flask import url_for

from ..core.calendar import compute_due_date
from ..core.qr import make_qr
from ..dossiers.codes import link_token
from ..dossiers.rules import processing_days
from ..web.public_urls import absolute


@dataclass
class SentDocument:
    name: str
    pages: int  # files: a photo is one page; a PDF (counted in `pdfs`) may hold several
    required: bool
    pdfs: int = 0


def sent_documents(dossier, round_number=0):
    """Each required document with the number of pages sent in `round_number`, then any extra pages."""
    sent = [f for f in dossier.files if f.round == round_number and f.purpose == "document"]
    counts = Counter(f.document_index for f in sent)
    pdfs = Counter(f.document_index for f in sent if f.mime == "application/pdf")
    docs = (dossier.procedure_snapshot or {}).get("documents") or []
    rows = [SentDocument(d.get("name", ""), counts.pop(i, 0), bool(d.get("required", True)), pdfs.pop(i, 0))
            for i, d in enumerate(docs)]
    extra = sum(counts.values())
    if extra:
        rows.append(SentDocument("Giấy tờ khác", extra, False, sum(pdfs.values())))
    return rows


def is_complete(documents):
    """Every required document has at least one page."""
    return all(d.pages > 0 for d in documents if d.required)


def expected_date(dossier, documents):
    """(date, confirmed): the due date once received; before that, the date it would be if complete."""
    if dossier.due_date:
        return dossier.due_date, True
    if not is_complete(documents) or dossier.submitted_at is None:
        return None, False
    days = processing_days(dossier)
    if days is None:
        return None, False
    return compute_due_date(dossier.submitted_at, days), False


def public_url(path):
    """`path` as an absolute URL on the configured address (COMMUNE_PUBLIC_URL), never the Host header."""

    return absolute(path)


def tracking_url(dossier, with_key=False):
    """Absolute URL of the tracking page; with the key's link token (made from the stored hash, so it can be
    printed again at any time), opening it logs the browser in for this dossier."""
    args = {"k": link_token(dossier.lookup_key_hash)} if with_key and dossier.lookup_key_hash else {}
    return public_url(url_for("tracking.dossier", code=dossier.code, **args))


def qr_svg(url):
    """An inline SVG QR code for `url` (no style attributes: safe under the strict CSP)."""
    qr = make_qr(url)
    return qr.svg_inline(scale=4, border=2, title="QR: " + url, svgclass="qr", lineclass=None, omitsize=False)
