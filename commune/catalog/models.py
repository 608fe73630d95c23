"""Catalog tables: fields (lĩnh vực), procedures, their required documents and blank forms."""
import sqlalchemy as sa
from sqlalchemy import orm

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

    id = db.Column(db.Integer, primary_key=True)
    code = db.Column(db.String(60), nullable=False, unique=True)
    name = db.Column(db.String(200), nullable=False)
    name_en = db.Column(db.String(200), nullable=False, default="")
    position = db.Column(db.Integer, nullable=False, default=0)
    active = db.Column(db.Boolean, nullable=False, default=True)

    procedures = db.relationship("Procedure", back_populates="field", order_by="Procedure.name")


class Procedure(db.Model):
    """An administrative procedure (thủ tục hành chính) the commune handles."""

    __tablename__ = "procedures"

    id = db.Column(db.Integer, primary_key=True)
    code = db.Column(db.String(40), unique=True)  # national code, e.g. 1.001193 (a few have none yet)
    # The province's form of the code, e.g. 1.001193.000.00.00.H56 (admin editor, national import).
    local_code = db.Column(db.String(60))
    slug = db.Column(db.String(200), nullable=False, unique=True)
    name = db.Column(db.String(500), nullable=False)
    name_en = db.Column(db.String(500), nullable=False, default="")
    field_id = db.Column(db.Integer, db.ForeignKey("fields.id"), nullable=False, index=True)
    processing_days = db.Column(db.Integer)  # working days; 0 = same day; None = not published
    processing_note = db.Column(db.Text, nullable=False, default="")
    fee_vnd = db.Column(db.Integer)  # None = set by the provincial council
    fee_note = db.Column(db.Text, nullable=False, default="")
    fee_unit = db.Column(db.String(40), nullable=False, default="", server_default="")  # "trang": "2.000 đ/trang"
    # The fee rule (dossiers/fees.py): the number questions whose answers count the units (their product,
    # e.g. "copies, pages"), and the bounds of the amount. Empty/None: one unit, no bounds.
    fee_count = db.Column(db.String(100), nullable=False, default="", server_default="")
    fee_min_vnd = db.Column(db.Integer)
    fee_max_vnd = db.Column(db.Integer)
    eligible_submitters = db.Column(db.Text, nullable=False, default="")
    result = db.Column(db.Text, nullable=False, default="")
    legal_basis = db.Column(db.JSON, nullable=False, default=list)
    online_level = db.Column(db.String(20))  # ONLINE_FULL, ONLINE_PARTIAL or None (information only)
    postal_return_allowed = db.Column(db.Boolean, nullable=False, default=False)
    # What the electronic copy of the result the villager downloads is worth (RESULT_COPIES).
    result_copy = db.Column(db.String(20), nullable=False, default="reference", server_default="reference")
    form_fields = db.Column(db.JSON, nullable=False, default=list)
    keywords = db.Column(db.JSON, nullable=False, default=list)  # synonyms and old names
    popularity = db.Column(db.Integer)  # position among the most used; None = not listed
    confidence = db.Column(db.String(20), nullable=False, default="sourced")
    active = db.Column(db.Boolean, nullable=False, default=True)
    version = db.Column(db.Integer, nullable=False, default=1)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)
    # Accent-free lowercase text for search, kept current by catalog.search on every flush:
    # name + keywords + code (ranked first), then documents + result + legal basis.
    search_name = db.Column(db.Text, nullable=False, default="", server_default="")
    search_body = db.Column(db.Text, nullable=False, default="", server_default="")

    field = db.relationship("Field", back_populates="procedures")
    documents = db.relationship(
        "RequiredDocument", back_populates="procedure", order_by="RequiredDocument.position",
        cascade="all, delete-orphan",
    )
    blank_forms = db.relationship(
        "BlankForm", back_populates="procedure", order_by="BlankForm.id", cascade="all, delete-orphan",
    )

    @property
    def online(self):
        """Whether a villager can submit this procedure online."""
        return self.online_level in ONLINE_KINDS and self.active


class RequiredDocument(db.Model):
    """One paper the villager must bring or photograph (thành phần hồ sơ)."""

    __tablename__ = "required_documents"

    id = db.Column(db.Integer, primary_key=True)
    procedure_id = db.Column(db.Integer, db.ForeignKey("procedures.id", ondelete="CASCADE"),
                             nullable=False, index=True)
    position = db.Column(db.Integer, nullable=False, default=0)
    name = db.Column(db.Text, nullable=False)
    original_or_copy = db.Column(db.String(200), nullable=False, default="")
    required = db.Column(db.Boolean, nullable=False, default=True)
    count = db.Column(db.Integer, nullable=False, default=1)
    hint = db.Column(db.Text, nullable=False, default="")
    # Online, the procedure's own questions stand in for this paper (the declaration form, tờ khai):
    # the villager answers them instead of photographing a printed form (core of Decree 45/2020).
    online_form = db.Column(db.Boolean, nullable=False, default=False, server_default=db.false())

    procedure = db.relationship("Procedure", back_populates="documents")


class BlankForm(db.Model):
    """A blank form (tờ khai) the admin attaches to a procedure for download."""

    __tablename__ = "blank_forms"

    id = db.Column(db.Integer, primary_key=True)
    procedure_id = db.Column(db.Integer, db.ForeignKey("procedures.id", ondelete="CASCADE"),
                             nullable=False, index=True)
    title = db.Column(db.String(300), nullable=False)
    filename = db.Column(db.String(200), nullable=False)  # safe download name
    mime = db.Column(db.String(100), nullable=False)
    storage_key = db.Column(db.String(100), nullable=False)
    size_bytes = db.Column(db.Integer, nullable=False)
    uploaded_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    procedure = db.relationship("Procedure", back_populates="blank_forms")


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
