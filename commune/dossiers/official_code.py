"""The official dossier code (mã số hồ sơ) of Circular 01/2018/TT-VPCP, Article 19.

    <agency code>-<YYMMDD>-<XXXX>      e.g. 000.21.33.H56-261201-0007

- the agency code is the receiving office's identifier under QCVN 102:2016/BTTTT (Circular
  10/2016/TT-BTTTT), shaped V1V2V3.Z1Z2.Y1Y2.MX1X2; the commune sets it in the admin settings
  (`agency_code`); until it does, the default placeholder below is used (never refused);
- YYMMDD is the day of receipt in Viet Nam (Asia/Ho_Chi_Minh), not the UTC day;
- XXXX is the dossier's number among those the agency received that day, four digits
  (a fifth appears only past 9 999 in one day).

The code is given once, at the first receipt (inbox.services.receive), and never changes. It is
predictable by design — anyone can count — so it is never a credential: the villager's tracking
code and lookup key stay what opens a dossier (tracking.services.lookup matches neither against it).

The day's number comes from a counter row per (agency, day), incremented by one UPDATE in the
receipt's own transaction: PostgreSQL locks the row, SQLite the whole database, so two clerks
receiving at the same moment get consecutive numbers; the first receipt of a day inserts the row
in a savepoint and, if another clerk's insert won, increments theirs. Dossier.official_code is
unique besides, so a duplicate could never be stored.
"""
import re
from datetime import date

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from ..core.settings import get_settings
from ..core.timeutil import to_local, utcnow
from ..extensions import db
from .search import search_text

SETTING = "agency_code"
PLACEHOLDER_AGENCY_CODE = "000.00.00.X00"  # the settings' default: right shape, visibly not a real office
AGENCY_CODE_MAX = 30
AGENCY_CODE_PATTERN = re.compile(r"^[0-9A-Z]+(\.[0-9A-Z]+)*$")
SEQUENCE_DIGITS = 4
_ATTEMPTS = 5


class OfficialCodeCounter(db.Model):
    """How many dossiers one agency code has numbered on one Vietnam day."""

    __tablename__ = "official_code_counters"

    agency_code: Mapped[str] = mapped_column(db.String(AGENCY_CODE_MAX), primary_key=True)
    day: Mapped[date] = mapped_column(db.Date, primary_key=True)
    last: Mapped[int] = mapped_column(db.Integer, nullable=False, default=0)


def agency_code(settings=None):
    """The commune's agency code as the code carries it (upper case), or the placeholder."""
    value = ((settings or get_settings()).get(SETTING) or "").strip().upper()
    return value if value and AGENCY_CODE_PATTERN.match(value) else PLACEHOLDER_AGENCY_CODE


def format_code(agency, day, number):
    """'000.21.33.H56', date(2026, 12, 1), 7 -> '000.21.33.H56-261201-0007'."""
    return f"{agency}-{day:%y%m%d}-{number:0{SEQUENCE_DIGITS}d}"


def next_number(agency, day):
    """The next number of `day` for `agency`, counted in the current transaction (flushes)."""
    table = OfficialCodeCounter.__table__
    for _ in range(_ATTEMPTS):
        number = db.session.execute(
            sa.update(table).where(table.c.agency_code == agency, table.c.day == day)
            .values(last=table.c.last + 1).returning(table.c.last)).scalar()
        if number is not None:
            return number
        try:
            with db.session.begin_nested():
                db.session.execute(sa.insert(table).values(agency_code=agency, day=day, last=1))
            return 1
        except IntegrityError:  # another clerk's first receipt of the day: count after theirs
            continue
    raise RuntimeError(f"could not number a dossier for {agency} on {day}")


def assign(dossier, at=None):
    """Give `dossier` its official code for a receipt at `at` (naive UTC), unless it has one.
    Returns the code."""
    if dossier.official_code:
        return dossier.official_code
    day = to_local(at or dossier.received_at or utcnow()).date()
    agency = agency_code()
    dossier.official_code = format_code(agency, day, next_number(agency, day))
    dossier.search_text = search_text(dossier)
    db.session.flush()
    return dossier.official_code
