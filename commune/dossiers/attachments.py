"""Attach an uploaded page to a dossier: check caps, run the photo pipeline, store, record the row.

Used by the villager's draft (photos step), the supplement answer (tracking),
the counter (walk-in dossiers) and the post (delivery proof).
"""
import re
import unicodedata

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ..core.i18n import N_
from ..extensions import db
from ..files.photos import PhotoError, process_upload
from ..files.storage import get_storage
from ..files.upload_guard import charge, check_room
from .models import DossierFile

DEFAULT_MAX_FILES = 60  # pages per dossier and round
DEFAULT_MAX_ROUND_MB = 80  # processed bytes per dossier and round (a draft, or one supplement answer)

MSG_TOO_MANY = N_("Hồ sơ đã có {n} tệp, là số tối đa. Hãy xóa bớt ảnh không cần thiết trước khi thêm.")
MSG_TOO_HEAVY = N_("Tổng dung lượng ảnh của hồ sơ đã đến mức tối đa ({mb} MB). Hãy xóa bớt ảnh trùng hoặc không cần.")


def max_files():
    """Most pages one dossier may hold in one round (COMMUNE_MAX_FILES)."""
    return int(current_app.config.get("COMMUNE_MAX_FILES") or DEFAULT_MAX_FILES)


def max_round_bytes():
    """Most stored bytes one dossier may hold in one round (COMMUNE_MAX_DRAFT_MB)."""
    return int(current_app.config.get("COMMUNE_MAX_DRAFT_MB") or DEFAULT_MAX_ROUND_MB) * 1024 * 1024


def round_usage(dossier, round=0):
    """(number of files, stored bytes) of one round of a dossier."""
    count, total = db.session.execute(
        sa.select(sa.func.count(DossierFile.id), sa.func.coalesce(sa.func.sum(DossierFile.size_bytes), 0))
        .where(DossierFile.dossier_id == dossier.id, DossierFile.round == round)
    ).one()
    return count, int(total)


def safe_name(filename, default="tep"):
    """An ASCII file name without paths or odd characters (for the record and downloads)."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    name = name.encode("ascii", "ignore").decode()
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip(".-")
    return name[:120] or default


def attach_file(dossier, data: bytes, filename: str, document_index=None, round=0, purpose="document"):
    """Process `data` and add it to `dossier` as a DossierFile (flush only); raise PhotoError if refused."""
    db.session.flush()
    count, total = round_usage(dossier, round)
    if count >= max_files():
        raise PhotoError(_(MSG_TOO_MANY).format(n=count))
    check_room(0)  # disk at its floor or the address's budget spent: refuse before decoding
    processed = process_upload(data, filename)
    # The same page sent again (a retry whose first answer was lost, a double tap) is the same
    # file: processing is deterministic, so the hash matches and the page is kept once.
    same = db.session.scalar(sa.select(DossierFile).filter_by(
        dossier_id=dossier.id, document_index=document_index, round=round, purpose=purpose,
        sha256=processed.sha256))
    if same is not None:
        return same
    if total + processed.size > max_round_bytes():
        raise PhotoError(_(MSG_TOO_HEAVY).format(mb=max_round_bytes() // (1024 * 1024)))
    charge(processed.size + len(processed.thumb or b""))  # refuses before a byte is written
    storage = get_storage()
    key = storage.save(processed.data)
    thumb_key = storage.save(processed.thumb) if processed.thumb else None
    row = DossierFile(
        dossier_id=dossier.id, document_index=document_index, round=round, purpose=purpose,
        storage_key=key, thumb_key=thumb_key, mime=processed.mime, size_bytes=processed.size,
        width=processed.width, height=processed.height, sha256=processed.sha256,
        original_name=safe_name(filename)[:200],
    )
    db.session.add(row)
    db.session.flush()
    return row


def remove_file(row):
    """Delete a page's row (flush only); return its storage keys for release_keys() after the commit."""
    keys = {row.storage_key, row.thumb_key}
    dossier = row.dossier
    if dossier is not None and row in dossier.files:
        dossier.files.remove(row)
    db.session.delete(row)
    db.session.flush()
    return keys
