"""What a villager does to a submitted dossier: look it up, answer a supplement, withdraw, rate.

Services flush, never commit: the view commits once per request.
"""
import hmac

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ..core.domain_error import DomainError
from ..core.phone import normalise_phone
from ..core.timeutil import utcnow
from ..dossiers.access import FULL, STATUS
from ..dossiers.attachments import attach_file
from ..dossiers.codes import KEY_LENGTH, hash_lookup_key, is_link_token, link_token, normalise_code
from ..dossiers.events import EventKind
from ..dossiers.models import Dossier, DossierFile, SupplementRequest
from ..dossiers.rules import CLOCK_RESTARTS_IN
from ..dossiers.states import WITHDRAWABLE, Status
from ..dossiers.workflow import transition
from ..extensions import db
from .models import SCORES, Rating

VILLAGER = "Công dân"
RATEABLE = frozenset({Status.RETURNED, Status.REFUSED})
# Compared against when the code matches no dossier, so a miss costs the same work as a hit.
_NO_PHONE = "0000000000"
_NO_CODE = "0000000000"
_NO_HASH = "0" * 64


class TrackingError(DomainError):
    """A rule refused the villager's action; str() is a Vietnamese message to show."""


def find_by_code(code_text):
    """The submitted dossier with this tracking code (as typed), or None."""
    code = normalise_code(code_text)
    if not code:
        return None
    return db.session.scalar(sa.select(Dossier).where(Dossier.code == code, Dossier.status != Status.DRAFT))


def lookup(code_text, secret_text):
    """(dossier, level): FULL if `secret_text` is its lookup key, STATUS if its phone (the applicant's,
    or the helper's for a dossier submitted for someone); else (None, None). A dossier without any
    phone opens only with its key.

    Same work whatever matches: every comparison always runs (one HMAC, constant-time compares),
    against dummy values when the code is unknown or the dossier has no key.
    """

    dossier = find_by_code(code_text)
    typed_phone = normalise_phone(secret_text) or ""
    phones = (dossier.applicant_phone, dossier.helper_phone) if dossier else (_NO_PHONE, _NO_PHONE)
    # A missing phone is compared as the dummy (which no typed number normalises to): same work.
    phone_ok = bool(typed_phone) and any([
        hmac.compare_digest(typed_phone.encode(), (normalise_phone(stored) or _NO_PHONE).encode())
        for stored in phones])
    key_ok = _key_ok(dossier, secret_text)
    if dossier is None or not (phone_ok or key_ok):
        return None, None
    return dossier, (FULL if key_ok else STATUS)


def _key_ok(dossier, key_text):
    """Whether `key_text` is the dossier's short key: its keyed hash against the stored one."""
    typed = normalise_code(key_text)
    stored = (dossier.lookup_key_hash if dossier else None) or _NO_HASH
    typed_hash = hash_lookup_key(dossier.code if dossier else _NO_CODE, typed)
    same = hmac.compare_digest(typed_hash.encode(), stored.encode())
    return same and len(typed) == KEY_LENGTH and dossier is not None and bool(dossier.lookup_key_hash)


def key_matches(dossier, key_text):
    """Whether `key_text` (the ?k= of the receipt's QR link) opens the dossier in full, in constant time:
    the link token (receipts from now on) or the short key itself (receipts printed before)."""
    if is_link_token(key_text):
        stored = (dossier.lookup_key_hash if dossier else None) or _NO_HASH
        same = hmac.compare_digest(normalise_code(key_text).encode(), link_token(stored).encode())
        return same and dossier is not None and bool(dossier.lookup_key_hash)
    return _key_ok(dossier, key_text)


def open_supplement_request(dossier):
    """The latest unanswered supplement request while the dossier waits for it, or None."""
    if dossier.status != Status.NEEDS_SUPPLEMENT:
        return None
    return db.session.scalar(
        sa.select(SupplementRequest)
        .where(SupplementRequest.dossier_id == dossier.id, SupplementRequest.answered_at.is_(None))
        .order_by(SupplementRequest.round.desc()).limit(1)
    )


def round_files(dossier, round_number):
    """The pages sent in one round (0 = first submission, n = answer to the n-th request)."""
    return db.session.scalars(
        sa.select(DossierFile).where(DossierFile.dossier_id == dossier.id, DossierFile.round == round_number,
                                     DossierFile.purpose == "document").order_by(DossierFile.id)
    ).all()


def pages_by_item(dossier, request_row):
    """{item index: pages added for it in this round} (items are matched by their document index)."""
    pages = round_files(dossier, request_row.round)
    return {index: [p for p in pages if p.document_index == item.get("document_index")]
            for index, item in enumerate(request_row.items or [])}


def add_supplement_page(dossier, request_row, item_index, data, filename):
    """Add one photo for item `item_index` of the request; raise PhotoError with the reason if refused."""

    items = request_row.items or []
    if not 0 <= item_index < len(items):
        raise TrackingError(_("Mục bổ sung không đúng. Vui lòng tải lại trang."))
    document_index = items[item_index].get("document_index")
    return attach_file(dossier, data, filename, document_index=document_index, round=request_row.round,
                       purpose="document")


def answer_supplement(dossier, request_row, reply):
    """Send the answer: back to where the dossier was; a received dossier's clock restarts in full."""
    reply = (reply or "").strip()
    new_pages = round_files(dossier, request_row.round)
    if not new_pages and not reply:
        raise TrackingError(_("Hãy thêm ảnh giấy tờ còn thiếu hoặc viết vài dòng trả lời trước khi gửi."))
    by_item = pages_by_item(dossier, request_row)
    missing = [item.get("label") or "" for index, item in enumerate(request_row.items or [])
               if not by_item.get(index)]
    if missing and not reply:
        raise TrackingError(_("Chưa có ảnh cho: %(items)s. Hãy thêm ảnh, hoặc viết lời nhắn cho cán bộ "
                              "(ví dụ: sẽ mang bản giấy đến) rồi gửi.", items="; ".join(missing)))
    now = utcnow()
    back_to = Status(dossier.status_before_supplement or Status.SUBMITTED)
    event = transition(dossier, back_to, note=reply, actor_label=VILLAGER, public=True,
                       kind=EventKind.SUPPLEMENT_ANSWERED)
    event.data = {"supplement_round": request_row.round, "pages": len(new_pages)}
    request_row.answered_at = now
    request_row.reply = reply
    dossier.has_new_supplement = True
    if back_to in CLOCK_RESTARTS_IN:  # transition() restarted the clock
        event.data["new_due"] = dossier.due_date.isoformat() if dossier.due_date else None
    db.session.flush()
    return event


def can_withdraw(dossier):
    return Status(dossier.status) in WITHDRAWABLE


def withdraw(dossier, reason=""):
    """The villager withdraws the dossier before the clerk starts processing it."""
    if not can_withdraw(dossier):
        raise TrackingError(_("Hồ sơ đang được xử lý hoặc đã kết thúc nên không thể rút nữa. "
                              "Vui lòng liên hệ bộ phận Một cửa."))
    event = transition(dossier, Status.WITHDRAWN, note=(reason or "").strip(), actor_label=VILLAGER)
    event.data = {"requested_by": "villager", "online": True}
    db.session.flush()
    return event


def can_rate(dossier):
    """A finished dossier (returned or refused) that has no rating yet."""
    return Status(dossier.status) in RATEABLE and dossier.rating is None


def rate(dossier, score, comment=""):
    """Record the villager's one rating of this dossier."""
    if Status(dossier.status) not in RATEABLE:
        raise TrackingError(_("Bạn có thể đánh giá khi hồ sơ đã có kết quả."))
    if score not in SCORES:
        raise TrackingError(_("Hãy chọn một mức đánh giá."))
    if dossier.rating is not None:
        raise TrackingError(_("Hồ sơ này đã được đánh giá. Cảm ơn bạn!"))
    rating = Rating(dossier_id=dossier.id, score=score, comment=(comment or "").strip()[:1000])
    try:
        with db.session.begin_nested():
            db.session.add(rating)
            db.session.flush()
    except IntegrityError as error:  # a second tab sent it at the same time
        raise TrackingError(_("Hồ sơ này đã được đánh giá. Cảm ơn bạn!")) from error
    return rating
