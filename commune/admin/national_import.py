"""Import the national portal's procedure list (its Excel download), matched by national code.

Two steps, and nothing changes before the second:

1. `read_list(data)` reads the .xlsx whole (a file with any column it does not know is refused,
   naming the column), `stage(...)` keeps the parsed rows server-side, in the data folder under a
   random token, and `compare(rows)` says what is new, what changed (column by column) and which
   procedures of ours the list does not have;
2. `apply(actor, token)` reads the kept rows again (never the page's form), compares them with the
   catalog as it is now, and applies: changed procedures are updated (name, field, local code; their
   version bumped, so dossiers keep their snapshot), new ones at commune level are added *inactive*
   for the admin to complete (documents, days, fee) before villagers see them; new ones of another
   level only and missing ones are only listed.

The columns (docs/catalog.md): what the portal's export is believed to hold; confirm them against a
real download before relying on it.
"""
import json
import re
import secrets
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ..catalog.models import Field, Procedure
from ..core.audit import audit
from ..core.i18n import N_
from ..core.spreadsheets import TooManyRows, Unreadable, explain, first_sheet_rows
from ..extensions import db

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
HEADER_SEARCH_ROWS = 10  # the portal's sheet may start with a title above the header row
KEEP_SECONDS = 3600  # a staged list the admin never confirmed is dropped after an hour
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")

# Folded header -> what it holds. None: a column we know and do not use.
COLUMNS = {
    "stt": None,
    "ma thu tuc": "code", "ma tthc": "code",
    "ten thu tuc": "name", "ten tthc": "name",
    "linh vuc": "field",
    "cap thuc hien": "level",
    "ma dia phuong": "local_code", "ma thu tuc dia phuong": "local_code", "ma tthc dia phuong": "local_code",
    "co quan thuc hien": None,
    "muc do": None, "muc do dvc": None, "dich vu cong truc tuyen": None,
}
REQUIRED = ("code", "name")
# What a "changed" row compares, with its Vietnamese column name.
COMPARED = (("name", N_("Tên thủ tục")), ("field", N_("Lĩnh vực")), ("local_code", N_("Mã địa phương")))
_CODE = re.compile(r"^\d+\.\d{6}$")  # a national code: 1.001193


class ImportRefused(ValueError):
    """The file cannot be imported; str() is the Vietnamese message for the admin."""


def fold(text):
    """'Mã thủ tục' -> 'ma thu tuc': how headers and field names are compared."""
    text = unicodedata.normalize("NFD", str(text or "").replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def _text(value):
    """A cell as one line of NFC text."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(unicodedata.normalize("NFC", str(value)).split())


def _sheet_rows(data):
    try:
        return first_sheet_rows(data, MAX_ROWS + HEADER_SEARCH_ROWS)
    except TooManyRows as error:
        raise ImportRefused(_("Danh sách có quá nhiều dòng (tối đa %(n)s thủ tục).", n=MAX_ROWS)) from error
    except Unreadable as error:
        raise ImportRefused(explain(error) or _("Không đọc được tệp Excel (.xlsx): tệp hỏng hoặc không phải "
                                                "bảng tính.")) from error


def _header(rows):
    """(position of the header row, {column index: key}); refuses an unknown column by its name."""
    for position, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        folded = [fold(cell) for cell in row]
        if "ma thu tuc" not in folded and "ma tthc" not in folded:
            continue
        columns, seen = {}, set()
        for index, (cell, name) in enumerate(zip(row, folded, strict=True)):
            if not name:
                continue
            if name not in COLUMNS:
                raise ImportRefused(_("Tệp có cột không nhận ra: “%(column)s”. Không nhập gì; xem các cột "
                                      "được chấp nhận ở dưới.", column=_text(cell)))
            key = COLUMNS[name]
            if key and key in seen:
                raise ImportRefused(_("Tệp có hai cột “%(column)s”. Không nhập gì.", column=_text(cell)))
            if key:
                seen.add(key)
                columns[index] = key
        missing = [key for key in REQUIRED if key not in seen]
        if missing:
            raise ImportRefused(_("Tệp thiếu cột “Tên thủ tục”. Không nhập gì."))
        return position, columns
    raise ImportRefused(_("Không thấy dòng tiêu đề có cột “Mã thủ tục” trong %(n)s dòng đầu của trang tính "
                          "thứ nhất.", n=HEADER_SEARCH_ROWS))


def read_list(data):
    """The procedures of a national list file (bytes) as dicts, in file order; ImportRefused if any
    of it cannot be taken (the whole file is refused: nothing is kept of a bad file)."""
    if not data:
        raise ImportRefused(_("Tệp rỗng."))
    if len(data) > MAX_BYTES:
        raise ImportRefused(_("Tệp quá lớn (tối đa 5 MB)."))
    if data.startswith(XLS_MAGIC):
        raise ImportRefused(_("Tệp Excel cũ (.xls) không đọc được: mở bằng Excel và lưu lại dạng .xlsx."))
    if not data.startswith(XLSX_MAGIC):
        raise ImportRefused(_("Tệp không phải bảng tính Excel (.xlsx)."))
    rows = _sheet_rows(data)
    start, columns = _header(rows)
    procedures, seen = [], {}
    for number, row in enumerate(rows[start + 1:], start=start + 2):
        values = {key: _text(row[index]) if index < len(row) else "" for index, key in columns.items()}
        if not any(values.values()):
            continue  # a blank line
        code = values.get("code", "")
        if not _CODE.match(code):
            raise ImportRefused(_("Dòng %(row)s: mã thủ tục “%(code)s” không đúng dạng mã quốc gia (ví dụ "
                                  "1.001193). Không nhập gì.", row=number, code=code))
        if code in seen:
            raise ImportRefused(_("Mã thủ tục %(code)s có hai lần (dòng %(a)s và %(b)s). Không nhập gì.",
                                  code=code, a=seen[code], b=number))
        if not values.get("name"):
            raise ImportRefused(_("Dòng %(row)s: thiếu tên thủ tục. Không nhập gì.", row=number))
        if len(values["name"]) > 500 or len(values.get("local_code", "")) > 60 or len(values.get("field", "")) > 200:
            raise ImportRefused(_("Dòng %(row)s: một ô dài quá mức cho phép. Không nhập gì.", row=number))
        seen[code] = number
        procedures.append({key: values.get(key, "") for key in ("code", "name", "field", "level", "local_code")})
    if not procedures:
        raise ImportRefused(_("Tệp không có thủ tục nào dưới dòng tiêu đề."))
    return procedures


# --- keeping the parsed list between the two steps ------------------------------------------


def _folder():
    folder = Path(current_app.config["COMMUNE_DATA_DIR"]) / "national-import"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _drop_old(folder):
    limit = time.time() - KEEP_SECONDS
    for path in folder.glob("*.json"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except OSError:
            pass


def stage(actor, procedures, filename=""):
    """Keep the parsed list for the confirmation; return its token (random, names the file only)."""
    folder = _folder()
    _drop_old(folder)
    token = secrets.token_urlsafe(24)
    body = {"user_id": actor.id, "filename": filename, "procedures": procedures}
    (folder / f"{token}.json").write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    return token


def staged(actor, token):
    """The list kept under `token` for this admin, or None (unknown, expired, another admin's)."""
    if not token or not TOKEN_PATTERN.match(token):
        return None
    path = _folder() / f"{token}.json"
    try:
        if path.stat().st_mtime < time.time() - KEEP_SECONDS:
            return None
        body = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return body if body.get("user_id") == actor.id else None


def discard(token):
    if token and TOKEN_PATTERN.match(token):
        (_folder() / f"{token}.json").unlink(missing_ok=True)


# --- comparing and applying ------------------------------------------------------------------


@dataclass
class Change:
    code: str
    procedure: Procedure
    row: dict
    columns: list = field(default_factory=list)  # [(label, before, after)]


@dataclass
class Comparison:
    new: list
    changed: list
    missing: list
    unchanged: int
    other_level: list = field(default_factory=list)  # new rows for another level (huyện, tỉnh): not added

    @property
    def anything(self):
        return bool(self.new or self.changed)


def _ours(procedure):
    return {"name": procedure.name, "field": procedure.field.name if procedure.field else "",
            "local_code": procedure.local_code or ""}


def compare(procedures):
    """What applying the list would do to the catalog as it is now."""
    ours = {p.code: p for p in db.session.scalars(sa.select(Procedure).where(Procedure.code.isnot(None)))}
    new, changed, other_level, unchanged = [], [], [], 0
    for row in procedures:
        procedure = ours.get(row["code"])
        if procedure is None:
            (new if at_commune_level(row) else other_level).append(row)
            continue
        current = _ours(procedure)
        columns = []
        for key, label in COMPARED:
            theirs = row.get(key) or ""
            if not theirs:
                continue  # an empty cell (or no such column) keeps what we have
            same = fold(theirs) == fold(current[key]) if key == "field" else theirs == current[key]
            if not same:
                columns.append((label, current[key], theirs))
        if columns:
            changed.append(Change(row["code"], procedure, row, columns))
        else:
            unchanged += 1
    listed = {row["code"] for row in procedures}
    missing = sorted((p for code, p in ours.items() if code not in listed), key=lambda p: p.code)
    return Comparison(new=new, changed=changed, missing=missing, unchanged=unchanged, other_level=other_level)


def at_commune_level(row):
    """Whether a row's "Cấp thực hiện" includes the commune ("Cấp Xã", "Cấp Tỉnh, Cấp Xã"), or says nothing."""
    level = fold(row.get("level"))
    return not level or "xa" in level.split()


def _slug(text):
    folded = fold(text).replace(" ", "-")
    return folded[:150].strip("-") or "thu-tuc"


def _field_for(name, fields):
    """The field called `name` (compared folded), created when the catalog has none."""
    if not name:
        return None
    found = fields.get(fold(name))
    if found is None:
        code, n = _slug(name)[:55], 1
        while db.session.scalar(sa.select(Field.id).where(Field.code == code)) is not None:
            n += 1
            code = f"{_slug(name)[:52]}-{n}"
        found = Field(code=code, name=name, active=True)
        db.session.add(found)
        db.session.flush()
        fields[fold(name)] = found
    return found


def _unique_slug(name, code):
    base = f"{_slug(name)[:150]}-{code.replace('.', '-')}"
    slug, n = base, 1
    while db.session.scalar(sa.select(Procedure.id).where(Procedure.slug == slug)) is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


def apply(actor, procedures):
    """Apply the list to the catalog now (flush, never commit); returns the Comparison applied."""
    result = compare(procedures)
    fields = {fold(f.name): f for f in db.session.scalars(sa.select(Field))}
    for change in result.changed:
        procedure, row = change.procedure, change.row
        if row.get("name"):
            procedure.name = row["name"]
        target = _field_for(row.get("field"), fields)
        if target is not None:
            procedure.field_id = target.id
        if row.get("local_code"):
            procedure.local_code = row["local_code"]
        procedure.version += 1
        audit(actor, "procedure.national_import", f"procedure {procedure.slug}",
              {label: {"before": before, "after": after} for label, before, after in change.columns})
    fallback = None
    for row in result.new:
        target = _field_for(row.get("field"), fields)
        if target is None:
            fallback = fallback or _field_for("Chưa phân loại", fields)
            target = fallback
        procedure = Procedure(code=row["code"], local_code=row.get("local_code") or None, name=row["name"],
                              slug=_unique_slug(row["name"], row["code"]), field_id=target.id, active=False,
                              confidence="national_list")
        db.session.add(procedure)
        db.session.flush()
        audit(actor, "procedure.national_import", f"procedure {procedure.slug}",
              {"created": {"before": "", "after": row["code"]}})
    db.session.flush()
    return result
