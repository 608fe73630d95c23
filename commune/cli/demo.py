"""`flask demo`: a demo commune anyone can click through. Never run implicitly."""
import random
import secrets
from datetime import timedelta

import sqlalchemy as sa

from ..accounts.models import User
from ..catalog.loader import catalog_is_empty, load_catalog, read_catalog
from ..catalog.models import Procedure
from ..core.calendar import WorkingCalendar
from ..core.roles import ROLES
from ..core.settings import set_setting
from ..core.timeutil import utcnow
from ..dossiers import official_code
from ..dossiers.codes import new_lookup_key, new_tracking_code
from ..dossiers.events import EventKind
from ..dossiers.models import (
    CHANNEL_ONLINE,
    CHANNELS,
    RESULT_AT_OFFICE,
    RESULT_BY_POST,
    Dossier,
    DossierEvent,
    SupplementRequest,
)
from ..dossiers.rules import procedure_snapshot
from ..dossiers.search import search_text
from ..dossiers.states import Status
from ..extensions import db
from ..inbox.ready_texts import load_defaults as load_ready_texts
from ..inbox.ready_texts import ready_texts_are_empty
from ..payments.models import DESK, TRANSFER, Payment
from ..postal.services import confirm_manifest, create_manifest, is_waiting, new_token

DEMO_SETTINGS = {
    "commune_name": "UBND xã Hòa Bình (demo)",
    "office_name": "Bộ phận Một cửa UBND xã Hòa Bình",
    "office_address": "Thôn Trung Tâm, xã Hòa Bình",
    "office_phone": "0210 3 812 345",
    # A demo receiving account (Agribank's BIN; the number is made up), so the VietQR shows everywhere.
    "payment_bank_bin": "970405",
    "payment_account_number": "8888000012345",
    "payment_account_name": "UBND XA HOA BINH DEMO",
}
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hà")
GIVEN = ("Văn An", "Thị Bình", "Văn Cường", "Thị Dung", "Minh Đức", "Thị Hoa", "Văn Hùng", "Thị Lan",
         "Quang Minh", "Thị Nga", "Văn Phúc", "Thị Thu")
VILLAGES = ("Thôn Đông", "Thôn Tây", "Thôn Nam", "Bản Mường", "Bản Khoang", "Tổ 3")
# Where a demo dossier ends up, with rough weights.
PATHS = (
    ((Status.SUBMITTED,), 8),
    ((Status.RECEIVED,), 6),
    ((Status.RECEIVED, Status.PROCESSING), 10),
    ((Status.NEEDS_SUPPLEMENT,), 4),
    ((Status.RECEIVED, Status.PROCESSING, Status.READY), 8),
    ((Status.RECEIVED, Status.PROCESSING, Status.READY, Status.RETURNED), 50),
    ((Status.REFUSED,), 3),
    ((Status.WITHDRAWN,), 2),
)


def fill_demo(count=300, seed=2026):
    """Create demo settings, staff and `count` dossiers; yield lines to print."""
    rng = random.Random(seed)
    if catalog_is_empty():
        load_catalog(read_catalog())
    if ready_texts_are_empty():
        load_ready_texts()
    for key, value in DEMO_SETTINGS.items():
        set_setting(key, value)
    for role in ROLES:
        username = f"demo-{role}"
        if db.session.scalar(sa.select(User).filter_by(username=username)):
            yield f"{role:8} {username} (exists, password unchanged)"
            continue
        password = secrets.token_urlsafe(9)
        user = User(username=username, role=role, full_name=f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}")
        user.set_password(password)
        db.session.add(user)
        yield f"{role:8} {username}  password: {password}"
    db.session.flush()
    procedures = db.session.scalars(sa.select(Procedure).where(Procedure.active.is_(True))).all()
    clerk = db.session.scalar(sa.select(User).filter_by(username="demo-clerk"))
    calendar = WorkingCalendar.load()
    now = utcnow()
    for _ in range(count):
        _demo_dossier(rng, rng.choice(procedures), clerk, calendar, now)
    db.session.flush()
    received = sa.select(Dossier).where(Dossier.received_at.isnot(None), Dossier.official_code.is_(None))
    for dossier in db.session.scalars(received.order_by(Dossier.received_at, Dossier.id)).all():
        official_code.assign(dossier, dossier.received_at)  # numbered day by day, in receipt order
    handed = _demo_post(clerk, db.session.scalar(sa.select(User).filter_by(username="demo-postal")))
    _demo_payments(clerk)
    db.session.commit()
    yield f"{count} demo dossiers created; {handed} results handed to the post for demo-postal"


def _demo_payments(clerk):
    """Most returned dossiers with a fee were paid, by transfer or at the desk (the figures' channels)."""
    owed = db.session.scalars(sa.select(Dossier).where(Dossier.status == Status.RETURNED,
                                                       Dossier.fee_vnd > 0)).all()
    for position, dossier in enumerate(owed):
        if position % 5 != 4:  # one in five is left unpaid
            transfer = position % 2 == 0
            db.session.add(Payment(dossier_id=dossier.id, channel=TRANSFER if transfer else DESK,
                                   amount_vnd=dossier.fee_vnd, due_vnd=dossier.fee_vnd,
                                   reference=f"FT{dossier.id:08d}" if transfer else "",
                                   recorded_at=dossier.finished_at or utcnow(), recorded_by_id=clerk.id))


def _demo_post(clerk, carrier):
    """Hand some ready postal results to the demo carrier, so the postal screens have work."""

    ready = db.session.scalars(sa.select(Dossier).where(
        Dossier.status == Status.READY, Dossier.result_method == RESULT_BY_POST)).all()
    waiting = [d for d in ready if is_waiting(d)]
    for dossier in waiting:
        dossier.delivery_name = dossier.applicant_name
        dossier.delivery_phone = dossier.applicant_phone
        dossier.delivery_address = dossier.applicant_address
        dossier.delivery_village = dossier.applicant_village
    if len(waiting) < 2:
        return 0
    handed = waiting[: max(1, len(waiting) - 2)]  # leave a couple waiting for the clerk's list
    manifest = create_manifest(handed, clerk)
    confirm_manifest(manifest, carrier, {item.id: "" for item in manifest.items}, new_token())
    return len(handed)


def _demo_helper(dossier):
    """A few villagers without a phone, a few dossiers submitted for someone ("nộp thay"), from their
    own random draw so the demo's other numbers stay as they were."""
    draw = random.Random(dossier.code).random()
    if dossier.result_method == RESULT_BY_POST:  # the carrier calls the number on the envelope
        return
    if draw < 0.06:
        dossier.applicant_phone = ""
    elif draw < 0.14:
        dossier.applicant_phone = ""
        dossier.helper_name, dossier.helper_phone = "Lò Văn Páo", "0987123456"
        dossier.helper_role, dossier.helper_relation = ("village_officer", "trưởng bản") if draw < 0.1 else (
            "relative", "con trai")


def _demo_dossier(rng, procedure, clerk, calendar, now):
    path = rng.choices([p for p, _ in PATHS], weights=[w for _, w in PATHS])[0]
    finished = path[-1] in (Status.RETURNED, Status.REFUSED, Status.WITHDRAWN)
    # Finished work spreads over four months; open work is recent, as at a desk that keeps up.
    submitted = now - timedelta(days=rng.randint(0, 120) if finished else rng.randint(0, 9),
                                hours=rng.randint(0, 8))
    name = f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}"
    by_post = procedure.postal_return_allowed and rng.random() < 0.25
    channel = rng.choices(CHANNELS, weights=(55, 40, 5))[0]
    dossier = Dossier(
        procedure=procedure,
        procedure_snapshot=procedure_snapshot(procedure, online=channel == CHANNEL_ONLINE),
        status=Status.SUBMITTED,
        channel=channel,
        code=new_tracking_code(), lookup_key=new_lookup_key(),
        applicant_name=name, applicant_phone=f"09{rng.randint(10000000, 99999999)}",
        applicant_id_number=f"0{rng.randint(10**10, 10**11 - 1)}",
        applicant_village=rng.choice(VILLAGES), applicant_address=f"{rng.choice(VILLAGES)}, xã Hòa Bình",
        result_method=RESULT_BY_POST if by_post else RESULT_AT_OFFICE,
        submitted_at=submitted, created_at=submitted, fee_vnd=procedure.fee_vnd,
    )
    _demo_helper(dossier)
    dossier.search_text = search_text(dossier)
    db.session.add(dossier)
    events = [DossierEvent(at=submitted, kind=EventKind.STATUS, from_status=Status.DRAFT, to_status=Status.SUBMITTED,
                           actor_label="Công dân", public=True)]
    at = submitted
    previous = Status.SUBMITTED
    for step in path:
        at = at + timedelta(hours=rng.randint(1, 30))
        if at > now:
            break
        if step == Status.RECEIVED:
            dossier.received_at = at
            dossier.due_date = calendar.due_date(at, procedure.processing_days or 5)
        if step == Status.NEEDS_SUPPLEMENT:
            dossier.status_before_supplement = previous
            dossier.supplement_count = 1
            dossier.supplement_requests.append(SupplementRequest(
                round=1, requested_at=at, requested_by_id=clerk.id,
                items=[{"document_index": 0, "label": "Ảnh trang 1 bị mờ, vui lòng chụp lại"}],
                message="Vui lòng chụp lại trang 1 rõ nét, đủ bốn góc."))
        if step == Status.READY:
            dossier.ready_at = at
        if step in (Status.RETURNED, Status.REFUSED, Status.WITHDRAWN):
            dossier.finished_at = at
        events.append(DossierEvent(at=at, kind=EventKind.STATUS, from_status=previous, to_status=step,
                                   actor_id=clerk.id if step != Status.WITHDRAWN else None,
                                   actor_label=clerk.full_name if step != Status.WITHDRAWN else "Công dân",
                                   public=True))
        previous = step
    # Demo data is written directly, as history: the workflow's transition() is for live changes.
    dossier.status = previous
    dossier.events = events
