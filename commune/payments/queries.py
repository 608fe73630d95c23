"""Read-only questions about payments: is this dossier paid, what is left, which dossier a transfer
names, and the fee figures by channel."""
import sqlalchemy as sa

from ..dossiers.codes import CODE_LENGTH, normalise_code
from ..dossiers.fees import fee_due
from ..dossiers.models import Dossier
from ..dossiers.states import Status
from ..extensions import db, expression_indexes
from .models import DESK, TRANSFER, Payment

# A fee is owed once the dossier is in the office's hands, and not for a refused or withdrawn one.
NOT_OWED = (Status.DRAFT, Status.REFUSED, Status.WITHDRAWN)
OWES_A_FEE = Dossier.fee_vnd > sa.literal_column("0")  # a literal: SQLite matches it to the partial index
# Fees due over a year read only the dossiers with a fee, by their arrival (reports/helped.py does
# the same for "nộp thay" and no phone).
ARRIVAL = sa.func.coalesce(Dossier.received_at, Dossier.submitted_at)  # the days of dossiers.arrival
db.Index("ix_dossiers_fee_arrival", ARRIVAL, Dossier.status, Dossier.fee_vnd,
         postgresql_where=OWES_A_FEE, sqlite_where=OWES_A_FEE,
         postgresql_include=("received_at", "submitted_at"))  # read from the index alone (reports/helped.py)
expression_indexes.add("ix_dossiers_fee_arrival")  # Alembic cannot compare it


def payment_of(dossier):
    """The dossier's confirmed payment, or None."""
    if dossier.id is None:
        return None
    return db.session.scalar(sa.select(Payment).where(Payment.dossier_id == dossier.id))


def left_to_pay(dossier):
    """What is still owed in đồng (the post collects this at the door): 0 once paid or if free or unknown."""
    due = fee_due(dossier) or 0
    if due <= 0 or payment_of(dossier) is not None:
        return 0
    return due


def owes_fee(dossier):
    """Whether this dossier should show a way to pay now."""
    return dossier.status not in NOT_OWED and left_to_pay(dossier) > 0


def reference_used(reference):
    """The payment already holding this bank reference, or None ('' is never one)."""
    reference = (reference or "").strip()
    if not reference:
        return None
    return db.session.scalar(sa.select(Payment).where(Payment.reference == reference,
                                                      Payment.channel == TRANSFER).limit(1))


def codes_in(text):
    """Every stretch of a transfer's content that could be a tracking code (banks drop spaces and dashes)."""
    letters = normalise_code(text)
    return {letters[i:i + CODE_LENGTH] for i in range(max(0, len(letters) - CODE_LENGTH + 1))}


def dossiers_named(contents):
    """{content: Dossier} for the contents that name a dossier's code (one query for the whole statement)."""
    windows = {content: codes_in(content) for content in contents}
    every = set().union(*windows.values()) if windows else set()
    found = {}
    every = sorted(every)
    for start in range(0, len(every), 500):
        chunk = every[start:start + 500]
        for dossier in db.session.scalars(sa.select(Dossier).where(Dossier.code.in_(chunk),
                                                                   Dossier.status != Status.DRAFT)):
            found[dossier.code] = dossier
    named = {}
    for content, codes in windows.items():
        hits = sorted((found[c] for c in codes if c in found), key=lambda d: d.id)
        if hits:
            named[content] = hits[0]
    return named


def fee_figures(start_utc, end_utc, carrier_vnd=0):
    """Fees due on the dossiers received in the period, and fees collected in it by channel.

    Transfers count on the statement's date (or when confirmed), cash at the desk when recorded, cash
    to the carrier when the item was delivered (the post's own figure, `carrier_vnd`)."""
    due = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Dossier.fee_vnd), 0))
        .where(OWES_A_FEE, Dossier.status.notin_(NOT_OWED), ARRIVAL >= start_utc, ARRIVAL < end_utc)) or 0
    when = sa.func.coalesce(Payment.paid_on, Payment.recorded_at)
    rows = db.session.execute(
        sa.select(Payment.channel, sa.func.coalesce(sa.func.sum(Payment.amount_vnd), 0), sa.func.count(Payment.id))
        .where(when >= start_utc, when < end_utc).group_by(Payment.channel)).all()
    by_channel = {channel: (int(total), count) for channel, total, count in rows}
    mismatched = db.session.scalar(
        sa.select(sa.func.count(Payment.id))
        .where(when >= start_utc, when < end_utc, Payment.due_vnd.isnot(None),
               Payment.amount_vnd != Payment.due_vnd)) or 0
    transfer = by_channel.get(TRANSFER, (0, 0))[0]
    desk = by_channel.get(DESK, (0, 0))[0]
    carrier = int(carrier_vnd or 0)
    return {
        "due_vnd": int(due),
        "transfer_vnd": transfer,
        "desk_vnd": desk,
        "carrier_vnd": carrier,
        "collected_vnd": transfer + desk + carrier,
        "transfers": by_channel.get(TRANSFER, (0, 0))[1],
        "mismatched": mismatched,
    }


def paid_channel_column():
    """A scalar subquery: the channel of the dossier's confirmed payment (for the register's rows)."""
    return (sa.select(Payment.channel).where(Payment.dossier_id == Dossier.id)
            .correlate(Dossier).scalar_subquery())
