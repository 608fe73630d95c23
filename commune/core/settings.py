"""Commune settings the admin edits (name, address, hours…), with defaults."""
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

DEFAULTS = {
    "commune_name": "UBND xã Mẫu",
    "office_name": "Bộ phận Một cửa UBND xã",
    "office_address": "Trụ sở UBND xã, thôn Trung tâm",
    "office_phone": "0200 3 800 000",
    "office_hours": "Thứ Hai – Thứ Sáu: 7:30 – 11:30 và 13:30 – 17:00",
    "office_email": "",
    "postal_fee_note": "Phí chuyển phát qua bưu chính công ích theo bảng giá của Bưu điện, trả khi nhận.",
    "receiving_unit": "UBND xã Mẫu",
    "agency_code": "000.00.00.X00",  # QCVN 102:2016 office code; begins the official dossier code
    "province": "",
    "supplement_rule": "second_with_reason",  # or "once_only" (inbox/services.py ONCE_ONLY)
}
SECRET_KEYS = frozenset({"smtp_password", "sms_auth"})


class Setting(db.Model):
    """One key/value setting."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(db.String(80), primary_key=True)
    value: Mapped[str] = mapped_column(db.Text, nullable=False, default="")


def get_settings():
    """All settings as a dict: defaults overlaid with what the admin saved."""
    values = dict(DEFAULTS)
    values.update(dict(db.session.execute(
        sa.select(Setting.key, Setting.value).where(sa.not_(Setting.key.startswith("_", autoescape=True)))
    ).all()))  # "_…" keys are the site's own bookkeeping (web/generation.py), not settings
    return values


def set_setting(key, value):
    """Save one setting (flush, never commit)."""
    row = db.session.get(Setting, key)
    if row is None:
        row = Setting(key=key, value=value)
        db.session.add(row)
    else:
        row.value = value
    db.session.flush()
