"""Read-only postal selects shared by the views, the inbox, tracking and the figures page."""
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa

from ..accounts.models import User
from ..core.roles import POSTAL
from ..core.timeutil import LOCAL_TZ
from ..dossiers.events import EventKind
from ..dossiers.models import RESULT_BY_POST, Dossier, DossierEvent
from ..dossiers.states import Status
from ..extensions import db
from .models import (
    ACTION_FAILED,
    ACTION_RETURNED,
    FAIL_REASONS,
    DeliveryAction,
    Manifest,
    ManifestItem,
)
from .states import ACTIVE, CARRIED, ItemState

DELIVERY_KINDS = tuple(kind.value for kind in EventKind if kind.is_delivery)


def _on_the_way():
    return sa.exists().where(ManifestItem.dossier_id == Dossier.id,
                             ManifestItem.state.in_(ACTIVE))


def waiting_dossiers(ids=None):
    """Results ready to go by post and not on an open manifest, oldest first."""
    query = (sa.select(Dossier)
             .where(Dossier.status == Status.READY, Dossier.result_method == RESULT_BY_POST,
                    ~_on_the_way())
             .order_by(Dossier.ready_at.is_(None), Dossier.ready_at, Dossier.id))
    if ids is not None:
        query = query.where(Dossier.id.in_(ids))
    return db.session.scalars(query).all()


def missing_before(dossier_ids):
    """Of these dossiers, those once flagged missing from a bag (the clerk should check them)."""
    if not dossier_ids:
        return set()
    return set(db.session.scalars(sa.select(ManifestItem.dossier_id).where(
        ManifestItem.dossier_id.in_(dossier_ids), ManifestItem.state == ItemState.MISSING)))


def manifests(limit=50):
    """Recent manifests, newest first."""
    return db.session.scalars(sa.select(Manifest).order_by(Manifest.id.desc()).limit(limit)).all()


def manifest_by_number(number):
    return db.session.scalar(sa.select(Manifest).where(Manifest.number == number))


def post_offices():
    """The post offices named on active postal accounts, sorted (the clerk hands a bag to one)."""

    names = db.session.scalars(sa.select(User.post_office).where(
        User.role == POSTAL, User.active.is_(True), User.post_office != "").distinct())
    return sorted(set(names))


def items_held_by(user):
    """The items a carrier holds, by village then recipient."""
    return db.session.scalars(
        sa.select(ManifestItem)
        .where(ManifestItem.carrier_id == user.id, ManifestItem.state.in_(CARRIED))
        .order_by(ManifestItem.village, ManifestItem.recipient_name, ManifestItem.id)).all()


def latest_item(dossier):
    """The dossier's most recent postal item (for the inbox's delivery status), or None."""
    return db.session.scalar(sa.select(ManifestItem).where(ManifestItem.dossier_id == dossier.id)
                             .order_by(ManifestItem.id.desc()).limit(1))


def delivery_events(dossier, public_only=True):
    """The delivery steps of a dossier, oldest first (what the villager sees when public_only)."""
    query = sa.select(DossierEvent).where(DossierEvent.dossier_id == dossier.id,
                                          DossierEvent.kind.in_(DELIVERY_KINDS))
    if public_only:
        query = query.where(DossierEvent.public.is_(True))
    return db.session.scalars(query.order_by(DossierEvent.id)).all()


def _utc_bounds(start, end):
    """Local dates [start, end] as naive-UTC datetimes [from, to)."""
    def utc(day):
        return datetime.combine(day, time.min, LOCAL_TZ).astimezone(UTC).replace(tzinfo=None)

    return utc(start), utc(end + timedelta(days=1))


def _days_between(later, earlier):
    """later - earlier in days, in the database's own date arithmetic."""
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.func.extract("epoch", later - earlier) / 86400.0
    return sa.func.julianday(later) - sa.func.julianday(earlier)


def postal_figures(start, end):
    """Postal figures for local dates start..end (inclusive), computed in SQL.

    Returns handed_over, delivered, failed_attempts, failed_by_reason {reason: n},
    returned_to_office, failed_dossiers / returned_dossiers (the distinct dossiers behind those
    attempts), avg_days_ready_to_delivered (None if nothing delivered), fees_collected_vnd.
    """
    lo, hi = _utc_bounds(start, end)
    handed = db.session.scalar(sa.select(sa.func.count(ManifestItem.id)).where(
        ManifestItem.handed_at >= lo, ManifestItem.handed_at < hi)) or 0
    delivered_row = db.session.execute(
        sa.select(sa.func.count(ManifestItem.id),
                  sa.func.coalesce(sa.func.sum(ManifestItem.fee_collected_vnd), 0),
                  sa.func.avg(_days_between(ManifestItem.delivered_at, Dossier.ready_at)))
        .join(Dossier, Dossier.id == ManifestItem.dossier_id)
        .where(ManifestItem.state == ItemState.DELIVERED,
               ManifestItem.delivered_at >= lo, ManifestItem.delivered_at < hi)).one()
    by_reason = dict(db.session.execute(
        sa.select(DeliveryAction.reason, sa.func.count(DeliveryAction.id))
        .where(DeliveryAction.kind == ACTION_FAILED, DeliveryAction.at >= lo, DeliveryAction.at < hi)
        .group_by(DeliveryAction.reason)).all())
    returned = db.session.scalar(sa.select(sa.func.count(DeliveryAction.id)).where(
        DeliveryAction.kind == ACTION_RETURNED, DeliveryAction.at >= lo, DeliveryAction.at < hi)) or 0

    def dossiers_with(kind):  # the attempts count actions; the dossiers behind them, each once
        return db.session.scalar(
            sa.select(sa.func.count(sa.distinct(ManifestItem.dossier_id)))
            .join(DeliveryAction, DeliveryAction.item_id == ManifestItem.id)
            .where(DeliveryAction.kind == kind, DeliveryAction.at >= lo, DeliveryAction.at < hi)) or 0

    delivered, fees, avg_days = delivered_row
    return {
        "handed_over": handed,
        "delivered": delivered or 0,
        "failed_attempts": sum(by_reason.values()),
        "failed_by_reason": {key: by_reason.get(key, 0) for key in FAIL_REASONS},
        "returned_to_office": returned,
        "failed_dossiers": dossiers_with(ACTION_FAILED) if by_reason else 0,
        "returned_dossiers": dossiers_with(ACTION_RETURNED) if returned else 0,
        "avg_days_ready_to_delivered": round(float(avg_days), 1) if avg_days is not None else None,
        "fees_collected_vnd": int(fees or 0),
    }
