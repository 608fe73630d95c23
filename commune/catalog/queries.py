"""Read-only catalog selects shared by views, the API and reports."""
import sqlalchemy as sa

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
