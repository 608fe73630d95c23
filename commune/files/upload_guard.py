"""What the data disk may take from uploads: a free-space floor and a daily budget per address.

Every upload path (the villager's draft, a supplement answer, the counter, the post's
delivery proof, the officer's result) stores through core/attachments.py's
attach_file(), which calls `check_room()` before processing and `charge()` just before
writing. Nothing is written when either refuses.

- Free-space floor (COMMUNE_MIN_FREE_MB, default 1024): when storing a file would leave
  less than that free on the disk holding COMMUNE_DATA_DIR, the upload is refused, so
  the database, the backups and the logs keep room to work.
- Daily budget (COMMUNE_UPLOAD_DAILY_MB, default 500): the stored bytes (after
  re-encoding, thumbnails included) one client address may add per day (Viet Nam's
  date). Staff who are logged in are not counted: their uploads are accountable and the
  whole counter shares one address. The running totals live in `upload_usage`; rows
  older than a week are pruned as new ones are written.
- Resumable uploads (files/resumable.py) count their declared length at creation, before
  any byte (`reserve`); the reservation is given back when the file is complete (the stored
  pages are counted instead) or, for the bytes never sent, when the client ends it
  (`refund`). An abandoned upload keeps costing its declared length for the day.
"""
import shutil
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import Mapped, mapped_column

from ..core.i18n import N_
from ..core.timeutil import local_today
from ..extensions import db
from .photos import PhotoError

DEFAULT_MIN_FREE_MB = 1024
DEFAULT_DAILY_MB = 500
KEEP_DAYS = 7

MSG_DISK_FULL = N_("Máy chủ sắp hết chỗ lưu trữ nên tạm thời không nhận thêm ảnh. "
                   "Hãy nộp giấy tờ trực tiếp tại bộ phận một cửa hoặc thử lại sau; cán bộ đã được báo.")
MSG_BUDGET = N_("Hôm nay đã gửi quá nhiều ảnh từ mạng này (tối đa {mb} MB mỗi ngày). "
                "Hãy thử lại vào ngày mai hoặc nộp giấy tờ trực tiếp tại bộ phận một cửa.")


class DiskFull(PhotoError):
    """Storing would pass the free-space floor."""


class BudgetSpent(PhotoError):
    """The address's daily budget would be passed."""


class UploadUsage(db.Model):
    """Stored bytes added by one client address on one day."""

    __tablename__ = "upload_usage"

    day: Mapped[date] = mapped_column(db.Date, primary_key=True)
    client: Mapped[str] = mapped_column(db.String(64), primary_key=True)
    bytes_stored: Mapped[int] = mapped_column(db.BigInteger, nullable=False, default=0)


def min_free_bytes():
    """The free-space floor (COMMUNE_MIN_FREE_MB) in bytes."""
    value = current_app.config.get("COMMUNE_MIN_FREE_MB")
    return int(DEFAULT_MIN_FREE_MB if value is None else value) * 1024 * 1024


def daily_budget_bytes():
    """Stored bytes one address may add per day (COMMUNE_UPLOAD_DAILY_MB); 0 means no budget."""
    value = current_app.config.get("COMMUNE_UPLOAD_DAILY_MB")
    return int(DEFAULT_DAILY_MB if value is None else value) * 1024 * 1024


def free_bytes():
    """Free bytes on the disk that holds the data directory."""
    path = Path(current_app.config["COMMUNE_DATA_DIR"])
    while not path.exists() and path != path.parent:
        path = path.parent
    return shutil.disk_usage(path).free


def _client():
    """The address whose budget an upload counts against, or None (staff, or no request)."""
    if not has_request_context():
        return None

    if getattr(current_user, "is_authenticated", False):
        return None
    return (request.remote_addr or "?")[:64]


def used_today(client):
    """Bytes `client` stored today."""
    return int(db.session.scalar(sa.select(UploadUsage.bytes_stored).filter_by(
        day=local_today(), client=client)) or 0)


def check_room(incoming):
    """Refuse (PhotoError) if storing `incoming` bytes would pass the floor or the address's budget."""
    if free_bytes() - incoming < min_free_bytes():
        current_app.logger.warning("upload refused: less than %d MB free on the data disk",
                                   min_free_bytes() // (1024 * 1024))
        raise DiskFull(_(MSG_DISK_FULL))
    budget, client = daily_budget_bytes(), _client()
    if budget and client is not None and used_today(client) + incoming > budget:
        raise BudgetSpent(_(MSG_BUDGET).format(mb=budget // (1024 * 1024)))


def charge(stored):
    """Check again with the bytes about to be written, then count them for the address (flush only)."""
    check_room(stored)
    client = _client()
    if client is None or not daily_budget_bytes():
        return
    today = local_today()
    table = UploadUsage.__table__
    dialect = db.session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        statement = insert(table).values(day=today, client=client, bytes_stored=stored)
        db.session.execute(statement.on_conflict_do_update(
            index_elements=[table.c.day, table.c.client],
            set_={"bytes_stored": table.c.bytes_stored + stored}))
    else:  # pragma: no cover - other databases: read, then write
        row = db.session.get(UploadUsage, (today, client))
        if row is None:
            db.session.add(UploadUsage(day=today, client=client, bytes_stored=stored))
        else:
            row.bytes_stored += stored
    db.session.execute(sa.delete(UploadUsage).where(UploadUsage.day < today - timedelta(days=KEEP_DAYS)))
    db.session.flush()


def client_address():
    """The address an upload counts against ("" for staff or outside a request)."""
    return _client() or ""


def reserve(declared):
    """Count a resumable upload's declared length now, before any byte (refused: DiskFull or BudgetSpent).

    Returns the day it was counted on (ISO), or "" when nothing was counted (staff, no budget)."""
    charge(declared)
    return local_today().isoformat() if _client() is not None and daily_budget_bytes() else ""


def refund(client, day, amount):
    """Give back `amount` bytes counted for `client` on `day` (never below zero; flush only)."""
    if not client or not day or amount <= 0:
        return
    column = UploadUsage.bytes_stored
    db.session.execute(sa.update(UploadUsage).where(
        UploadUsage.day == date.fromisoformat(day), UploadUsage.client == client).values(
        bytes_stored=sa.case((column > amount, column - amount), else_=0)))
    db.session.flush()
