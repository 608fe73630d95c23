"""Catalog tables: fields (lĩnh vực), procedures, their required documents and blank forms."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.timeutil import utcnow
from ..extensions import db
from ..files.storage import holds_keys
from .text import body_text, name_text

ONLINE_FULL = "toàn trình"
ONLINE_PARTIAL = "một phần"
ONLINE_KINDS = (ONLINE_FULL, ONLINE_PARTIAL)

# The electronic copy of the result (tracking/results.py), as the office chose per procedure: the
# official electronic result, or a copy for reference; the paper original follows either way.
RESULT_OFFICIAL = "official"
RESULT_REFERENCE = "reference"
RESULT_COPIES = (RESULT_OFFICIAL, RESULT_REFERENCE)


class Field(db.Model):
    """A field of procedures (lĩnh vực), e.g. Hộ tịch."""

    __tablename__ = "fields"

    id: Mapped[int] = mapped_column(db.Integer, primary_key=True)
    code: Mapped[str] = mapped_column(db.String(60), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(db.String(200), nullable=False)
    name_en: Mapped[str] = mapped_column(db.String(200), nullable=False, default="")
    position: Mapped[int] = mapped_column(db.Integer, nullable=False, default=0)
    active: Mapped[bool] = mapped_column(db.Boolean, nullable=False, default=True)

    procedures: Mapped[list["Procedure"]] = relationship("Procedure", back_populates="field", order_by="Procedure.name")


class Procedure(db.Model):
    """An administrative procedure (thủ tục hành chính) the commune handles."""

    __tablename__ = "procedures"

    id: Mapped[int] = mapped_column(db.Integer, primary_key=True)
    # National code, e.g. 1.001193 (a few have none yet).
    code: Mapped[str | None] = mapped_column(db.String(40), unique=True)
    # The province's form of the code, e.g. 1.001193.000.00.00.H56 (admin editor, national import).
    local_code: Mapped[str | None] = mapped_column(db.String(60))
    slug: Mapped[str] = mapped_column(db.String(200), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(db.String(500), nullable=False)
    name_en: Mapped[str] = mapped_column(db.String(500), nullable=False, default="")
    field_id: Mapped[int] = mapped_column(db.Integer, db.ForeignKey("fields.id"), nullable=False, index=True)
    processing_days: Mapped[int | None] = mapped_column(db.Integer)  # working days; 0 = same day; None = not published
    processing_note: Mapped[str] = mapped_column(db.Text, nullable=False, default="")
    fee_vnd: Mapped[int | None] = mapped_column(db.Integer)  # None = set by the provincial council
    fee_note: Mapped[str] = mapped_column(db.Text, nullable=False, default="")
    # The unit the fee counts, e.g. "trang": "2.000 đ/trang".
    fee_unit: Mapped[str] = mapped_column(db.String(40), nullable=False, default="", server_default="")
    # The fee rule (dossiers/fees.py): the number questions whose answers count the units (their product,
    # e.g. "copies, pages"), and the bounds of the amount. Empty/None: one unit, no bounds.
    fee_count: Mapped[str] = mapped_column(db.String(100), nullable=False, default="", server_default="")
    fee_min_vnd: Mapped[int | None] = mapped_column(db.Integer)
    fee_max_vnd: Mapped[int | None] = mapped_column(db.Integer)
    eligible_submitters: Mapped[str] = mapped_column(db.Text, nullable=False, default="")
    result: Mapped[str] = mapped_column(db.Text, nullable=False, default="")
    legal_basis: Mapped[list] = mapped_column(db.JSON, nullable=False, default=list)
    # ONLINE_FULL, ONLINE_PARTIAL or None (information only).
    online_level: Mapped[str | None] = mapped_column(db.String(20))
    postal_return_allowed: Mapped[bool] = mapped_column(db.Boolean, nullable=False, default=False)
    # What the electronic copy of the result the villager downloads is worth (RESULT_COPIES).
    result_copy: Mapped[str] = mapped_column(db.String(20), nullable=False, default="reference",
                                             server_default="reference")
    form_fields: Mapped[list] = mapped_column(db.JSON, nullable=False, default=list)
    keywords: Mapped[list] = mapped_column(db.JSON, nullable=False, default=list)  # synonyms and old names
    popularity: Mapped[int | None] = mapped_column(db.Integer)  # position among the most used; None = not listed
    confidence: Mapped[str] = mapped_column(db.String(20), nullable=False, default="sourced")
    active: Mapped[bool] = mapped_column(db.Boolean, nullable=False, default=True)
    version: Mapped[int] = mapped_column(db.Integer, nullable=False, default=1)
    updated_at: Mapped[datetime] = mapped_column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)
    # Accent-free lowercase text for search, kept current by catalog.search on every flush:
    # name + keywords + code (ranked first), then documents + result + legal basis.
    search_name: Mapped[str] = mapped_column(db.Text, nullable=False, default="", server_default="")
    search_body: Mapped[str] = mapped_column(db.Text, nullable=False, default="", server_default="")

    field: Mapped["Field"] = relationship("Field", back_populates="procedures")
    documents: Mapped[list["RequiredDocument"]] = relationship(
        "RequiredDocument", back_populates="procedure", order_by="RequiredDocument.position",
        cascade="all, delete-orphan",
    )
    blank_forms: Mapped[list["BlankForm"]] = relationship(
        "BlankForm", back_populates="procedure", order_by="BlankForm.id", cascade="all, delete-orphan",
    )

    @property
    def online(self):
        """Whether a villager can submit this procedure online."""
        return self.online_level in ONLINE_KINDS and self.active


class RequiredDocument(db.Model):
    """One paper the villager must bring or photograph (thành phần hồ sơ)."""

    __tablename__ = "required_documents"

    id: Mapped[int] = mapped_column(db.Integer, primary_key=True)
    procedure_id: Mapped[int] = mapped_column(db.Integer, db.ForeignKey("procedures.id", ondelete="CASCADE"),
                                              nullable=False, index=True)
    position: Mapped[int] = mapped_column(db.Integer, nullable=False, default=0)
    name: Mapped[str] = mapped_column(db.Text, nullable=False)
    original_or_copy: Mapped[str] = mapped_column(db.String(200), nullable=False, default="")
    required: Mapped[bool] = mapped_column(db.Boolean, nullable=False, default=True)
    count: Mapped[int] = mapped_column(db.Integer, nullable=False, default=1)
    hint: Mapped[str] = mapped_column(db.Text, nullable=False, default="")
    # Online, the procedure's own questions stand in for this paper (the declaration form, tờ khai):
    # the villager answers them instead of photographing a printed form (core of Decree 45/2020).
    online_form: Mapped[bool] = mapped_column(db.Boolean, nullable=False, default=False, server_default=db.false())

    procedure: Mapped["Procedure"] = relationship("Procedure", back_populates="documents")


class BlankForm(db.Model):
    """A blank form (tờ khai) the admin attaches to a procedure for download."""

    __tablename__ = "blank_forms"

    id: Mapped[int] = mapped_column(db.Integer, primary_key=True)
    procedure_id: Mapped[int] = mapped_column(db.Integer, db.ForeignKey("procedures.id", ondelete="CASCADE"),
                                              nullable=False, index=True)
    title: Mapped[str] = mapped_column(db.String(300), nullable=False)
    filename: Mapped[str] = mapped_column(db.String(200), nullable=False)  # safe download name
    mime: Mapped[str] = mapped_column(db.String(100), nullable=False)
    storage_key: Mapped[str] = mapped_column(db.String(100), nullable=False)
    size_bytes: Mapped[int] = mapped_column(db.Integer, nullable=False)
    uploaded_at: Mapped[datetime] = mapped_column(db.DateTime, nullable=False, default=utcnow)

    procedure: Mapped["Procedure"] = relationship("Procedure", back_populates="blank_forms")


holds_keys(BlankForm.storage_key)


@sa.event.listens_for(orm.Session, "before_flush")
def _refresh_search_text(session, _context, _instances):
    """Keep Procedure.search_name/search_body current whenever a procedure or its documents change."""
    deleted = set(session.deleted)
    touched = set()
    with session.no_autoflush:
        for obj in (*session.new, *session.dirty, *deleted):
            if isinstance(obj, Procedure) and obj not in deleted:
                touched.add(obj)
            elif isinstance(obj, RequiredDocument) and obj.procedure is not None:
                touched.add(obj.procedure)
        if touched or any(isinstance(obj, Procedure) for obj in deleted):
            session.info["catalog_changed"] = True
        for procedure in touched - deleted:
            name, body = name_text(procedure), body_text(procedure, skip=deleted)
            if procedure.search_name != name:
                procedure.search_name = name
            if procedure.search_body != body:
                procedure.search_body = body


_commits = [0]  # catalog changes committed in this process (see catalog.search: no query per search)


def catalog_commits():
    """How many commits in this process changed a procedure or its documents."""
    return _commits[0]


@sa.event.listens_for(orm.Session, "after_commit")
def _count_catalog_commit(session):
    if session.info.pop("catalog_changed", False):
        _commits[0] += 1


@sa.event.listens_for(orm.Session, "after_rollback")
def _forget_catalog_change(session):
    session.info.pop("catalog_changed", None)


def fill_missing_search_text():
    """Fill search_name/search_body where empty (rows created before the columns existed). Flushes."""
    missing = db.session.scalars(sa.select(Procedure).where(Procedure.search_name == "")).all()
    for procedure in missing:
        procedure.search_name = name_text(procedure)
        procedure.search_body = body_text(procedure)
    db.session.flush()
    return len(missing)
