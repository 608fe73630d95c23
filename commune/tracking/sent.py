"""What the villager sent, round by round, as the tracking page lists it ("Giấy tờ đã gửi").

Only what was sent: a document with no page is not listed (an optional paper left out is not a
"0"), a declaration answered on the form online says so, and each supplement answer is its own
round with the pages it carried.
"""
from collections import Counter
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

PDF = "application/pdf"


@dataclass
class SentLine:
    name: str
    pages: int = 0          # files: a photo is one page; a PDF (counted in `pdfs`) may hold several
    pdfs: int = 0
    answered_online: bool = False  # the declaration, answered on the form instead of photographed


@dataclass
class SentRound:
    number: int             # 0 = the first submission, n = the answer to the n-th supplement request
    title: object
    lines: list = field(default_factory=list)


def sent_rounds(dossier):
    """[SentRound] of a dossier: the first submission, then each supplement answer that carried pages."""
    documents = (dossier.procedure_snapshot or {}).get("documents") or []
    rounds = sorted({f.round for f in dossier.files if f.purpose == "document" and f.round >= 0} | {0})
    result = []
    for number in rounds:
        sent = [f for f in dossier.files if f.round == number and f.purpose == "document"]
        counts = Counter(f.document_index for f in sent)
        pdfs = Counter(f.document_index for f in sent if f.mime == PDF)
        lines = []
        for index, doc in enumerate(documents):
            pages = counts.pop(index, 0)
            online = number == 0 and bool(doc.get("online_form")) and not pages
            if pages or online:
                lines.append(SentLine(doc.get("name", ""), pages, pdfs.pop(index, 0), online))
        extra = sum(counts.values())
        if extra:
            lines.append(SentLine("Giấy tờ khác", extra, sum(pdfs.values())))
        if number == 0 or lines:
            title = _l("Khi nộp hồ sơ") if number == 0 else _l("Bổ sung lần %(n)s", n=number)
            result.append(SentRound(number, title, lines))
    return result
