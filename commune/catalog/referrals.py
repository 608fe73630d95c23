"""Needs the commune does not handle: phrases a villager types, and the office that handles them.

"tạm trú", "làm căn cước", "hộ chiếu"… are done by the commune police, the provincial
immigration office or social insurance, not at the UBND xã desk. The admin keeps the list
(each entry: several phrases, the office, one plain sentence, an optional contact); the
search shows the matching entry above the results. The default list is
data/referrals.json, loaded by `flask setup` (and `flask catalog referrals`).

Matching: the folded query (catalog.text.normalise) holds a phrase as whole words.
"""
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.timeutil import utcnow
from ..extensions import db
from .loader import read_json
from .search import search as find_procedures
from .text import normalise

DEFAULT_PATH = Path(__file__).parent / "data" / "referrals.json"
MAX_SHOWN = 3  # a query naming several needs ("tạm trú, hộ chiếu") shows each, up to three
CONTACT_KEYS = ("address", "phone", "url")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


class Referral(db.Model):
    """One need handled elsewhere: the phrases that name it, where to go, what to tell the villager."""
    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(db.Integer, primary_key=True)
    key: Mapped[str] = mapped_column(db.String(80), nullable=False, unique=True)  # stable name: loading matches on it
    # The phrases as the admin typed them (accents kept).
    phrases: Mapped[list] = mapped_column(db.JSON, nullable=False, default=list)
    office: Mapped[str] = mapped_column(db.String(300), nullable=False)
    sentence: Mapped[str] = mapped_column(db.Text, nullable=False)
    address: Mapped[str] = mapped_column(db.String(500), nullable=False, default="")
    phone: Mapped[str] = mapped_column(db.String(60), nullable=False, default="")
    url: Mapped[str] = mapped_column(db.String(500), nullable=False, default="")
    position: Mapped[int] = mapped_column(db.Integer, nullable=False, default=0)
    version: Mapped[int] = mapped_column(db.Integer, nullable=False, default=1)
    updated_at: Mapped[datetime] = mapped_column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    @property
    def folded_phrases(self):
        """The phrases as search compares them: accent-free, lowercase, longest first."""
        folded = {normalise(p) for p in self.phrases or ()}
        return sorted(filter(None, folded), key=len, reverse=True)

    @property
    def tel(self):
        """The phone number as a tel: link wants it (digits and a leading +)."""
        return re.sub(r"[^0-9+]", "", self.phone or "")

    def as_dict(self):
        """The entry in the shape of data/referrals.json (also what the audit log compares)."""
        return {"key": self.key, "phrases": list(self.phrases or []), "office": self.office,
                "sentence": self.sentence, "address": self.address, "phone": self.phone, "url": self.url,
                "position": self.position}


@dataclass(frozen=True)
class Match:
    """A referral and the (folded) phrase of the query that named it."""
    referral: Referral
    phrase: str


class ReferralError(ValueError):
    """The referral file cannot be loaded; the message names the entry."""


def _require(condition, where, message):
    if not condition:
        raise ReferralError(f"{where}: {message}")


def validate(data):
    """Check the shape of a referral list; raise ReferralError naming the entry."""
    _require(isinstance(data, dict) and isinstance(data.get("referrals"), list), "referrals",
             "must be an object with a 'referrals' list")
    keys = set()
    for i, item in enumerate(data["referrals"]):
        where = f"referrals[{i}]"
        _require(isinstance(item, dict), where, "must be an object")
        for name in ("key", "office", "sentence"):
            _require(isinstance(item.get(name), str) and item[name].strip(), where, f"'{name}' is missing")
        where = f"referral {item['key']}"
        _require(item["key"] not in keys, where, "duplicate key")
        keys.add(item["key"])
        phrases = item.get("phrases")
        _require(isinstance(phrases, list) and phrases, where, "'phrases' must be a non-empty list")
        _require(all(isinstance(p, str) and normalise(p) for p in phrases), where,
                 "every phrase must hold a letter or digit")
        for name in CONTACT_KEYS:
            _require(isinstance(item.get(name, ""), str), where, f"'{name}' must be text")
        _require(not item.get("url") or _URL.match(item["url"]), where, "'url' must start with http:// or https://")


def read_referrals(path=None):
    """Parse and validate a referral file (default: the list shipped with the app)."""
    data = read_json(path or DEFAULT_PATH, ReferralError)
    validate(data)
    return data


def load_referrals(data):
    """Add the entries whose key is not in the database yet. Returns how many. Flushes, never commits.

    Idempotent, and an entry already there is left as the admin keeps it (its phone, its words).
    """
    present = set(db.session.scalars(sa.select(Referral.key)))
    added = 0
    for position, item in enumerate(data["referrals"]):
        if item["key"] in present:
            continue
        db.session.add(Referral(
            key=item["key"], phrases=[p.strip() for p in item["phrases"]], office=item["office"].strip(),
            sentence=item["sentence"].strip(), position=item.get("position", position),
            **{name: (item.get(name) or "").strip() for name in CONTACT_KEYS},
        ))
        present.add(item["key"])
        added += 1
    db.session.flush()
    return added


def referrals_are_empty():
    return db.session.scalar(sa.select(sa.func.count()).select_from(Referral)) == 0


def new_key(phrases):
    """A key for an entry the admin adds: its first phrase, folded ("tam-tru", "tam-tru-2"…)."""
    base = (normalise(next(iter(phrases), "")).replace(" ", "-") or "viec")[:70]
    taken = set(db.session.scalars(sa.select(Referral.key).where(Referral.key.like(f"{base}%"))))
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}-{n}"
    return key


def all_referrals():
    """Every entry, in the admin's order."""
    return db.session.scalars(sa.select(Referral).order_by(Referral.position, Referral.id)).all()


def matching_referrals(query, limit=MAX_SHOWN):
    """The entries whose phrase the query holds (whole words), the most specific phrase first."""
    text = f" {normalise(query)} "
    if not text.strip():
        return []
    found = []
    for referral in all_referrals():
        phrase = next((p for p in referral.folded_phrases if f" {p} " in text), None)
        if phrase:
            found.append(Match(referral, phrase))
    found.sort(key=lambda match: -len(match.phrase))
    return found[:limit]


# Words that only say "I want it done" ("làm", "cấp lại", "ở đâu"): what comes before the phrase
# once these are taken away is an action on it, the commune's if it names one of its procedures.
GENERIC = (
    "lam lai", "lam", "dang ky", "dang ki", "cap moi", "cap lai", "cap doi", "cap", "doi", "xin", "gia han",
    "mua", "nop", "lay", "thu tuc", "ho so", "giay to", "giay", "the", "so", "moi", "lai", "o dau", "bao lau",
    "bao nhieu", "het han", "bi mat", "mat", "hong", "cho", "con", "toi", "em", "minh", "muon", "can", "gi",
    "o", "tai", "xa", "phuong", "huyen", "tinh", "online", "truc tuyen", "qua mang", "nhu the nao", "the nao",
    "lam sao", "le phi", "phi", "tien", "la", "va", "hoac", "cua", "ve", "khi", "nao", "dau", "nhanh",
)


def action_before(query, phrase):
    """The words before `phrase`, generic ones dropped: "chứng thực căn cước" -> "chung thuc";
    "đăng ký tạm trú" -> "". Words after it only qualify the need ("tạm trú cho người nước ngoài")."""
    text = f" {normalise(query)} "
    text = text[:text.find(f" {phrase} ")] + " "
    for word in GENERIC:
        while f" {word} " in text:
            text = text.replace(f" {word} ", " ")
    return " ".join(w for w in text.split() if len(w) > 1)


def _commune_handles(query, match):
    """Whether the query asks for a commune procedure done with what the phrase names (certify a
    copy of the căn cước): then the villager wants that procedure, and no referral is shown."""
    action = action_before(query, match.phrase)
    if not action:
        return False
    found = find_procedures(action)
    return bool(found.procedures) and not found.partial


def names_the_need(entry, matches):
    """Whether a search row's name or keywords hold a matched phrase (it really is that procedure)."""
    return any(f" {m.phrase} " in entry.name_text or f" {m.phrase} " in entry.keyword_text for m in matches)


def refer(query, result):
    """The referrals for `query`; when there are some, `result` keeps only the procedures that
    name the need themselves (not one that merely mentions it, or matched a word of it by chance)."""
    matches = [m for m in matching_referrals(query) if not _commune_handles(query, m)]
    if matches and result is not None:
        result.procedures = [e for e in [*result.procedures, *result.mentions] if names_the_need(e, matches)]
        result.mentions = []
        result.total = len(result.procedures)
        if not result.procedures:
            result.partial = False
    return matches
