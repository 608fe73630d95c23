"""Read-only catalog selects shared by views, the API and reports."""
import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from .models import Field, Procedure


def fields_with_counts():
    """Active fields with the number of active procedures in each, in catalog order."""
    count = sa.func.count(Procedure.id)
    rows = db.session.execute(
        sa.select(Field, count)
        .join(Procedure, sa.and_(Procedure.field_id == Field.id, Procedure.active.is_(True)))
        .where(Field.active.is_(True))
        .group_by(Field.id)
        .order_by(Field.position)
    ).all()
    return [(field, n) for field, n in rows]


def popular_procedures(limit=8):
    """The most used procedures, in the order set in the catalog (popularity 1 first)."""
    return db.session.scalars(
        sa.select(Procedure)
        .where(Procedure.active.is_(True), Procedure.popularity.is_not(None))
        .order_by(Procedure.popularity, Procedure.name)
        .limit(limit)
    ).all()


def active_field(code):
    """The active field with this code, or None."""
    return db.session.scalar(sa.select(Field).where(Field.code == code, Field.active.is_(True)))


def procedures_in(field):
    """Active procedures of a field, most used first, then by name."""
    return db.session.scalars(
        sa.select(Procedure)
        .where(Procedure.field_id == field.id, Procedure.active.is_(True))
        .order_by(Procedure.popularity.is_(None), Procedure.popularity, Procedure.name)
    ).all()


def procedure_by_slug(slug):
    """The procedure at /thu-tuc/<slug> (inactive ones too: old links keep working), or None."""
    return db.session.scalar(
        sa.select(Procedure).where(Procedure.slug == slug).options(
            selectinload(Procedure.documents), selectinload(Procedure.blank_forms), joinedload(Procedure.field)
        )
    )


def active_procedures():
    """Every active procedure with its field and documents, in catalog order (for the API)."""
    return db.session.scalars(
        sa.select(Procedure)
        .join(Field)
        .where(Procedure.active.is_(True))
        .order_by(Field.position, Procedure.name)
        .options(joinedload(Procedure.field))
    ).all()


def procedure_or_404(slug):
    """The active procedure at `slug`, or a 404 page."""

    procedure = procedure_by_slug(slug)
    if procedure is None:
        abort(404)
    return procedure
