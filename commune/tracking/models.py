"""The villager's rating of the service, once per finished dossier."""
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from ..core.timeutil import utcnow
from ..dossiers.retention import erases_personal_data
from ..extensions import db

if TYPE_CHECKING:  # the relationships' types only (no import at run time)
    from ..dossiers.models import Dossier

SATISFIED = "satisfied"
NEUTRAL = "neutral"
UNSATISFIED = "unsatisfied"
SCORES = (SATISFIED, NEUTRAL, UNSATISFIED)
SCORE_LABELS = {SATISFIED: "Hài lòng", NEUTRAL: "Bình thường", UNSATISFIED: "Không hài lòng"}


class Rating(db.Model):
    """How satisfied the villager was with one finished dossier (one rating per dossier)."""

    __tablename__ = "ratings"

    id: Mapped[int] = mapped_column(db.Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(db.Integer, db.ForeignKey("dossiers.id", ondelete="CASCADE"),
                                            nullable=False, unique=True)
    score: Mapped[str] = mapped_column(db.String(12), nullable=False)  # one of SCORES
    comment: Mapped[str] = mapped_column(db.Text, nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(db.DateTime, nullable=False, default=utcnow)

    dossier: Mapped["Dossier"] = relationship("Dossier", backref=backref("rating", uselist=False,
                                                                            passive_deletes=True))

    @property
    def score_label(self):
        return SCORE_LABELS.get(self.score, self.score)


@erases_personal_data
def _erase_rating_comments(dossier):
    """Retention: the villager's words go; the stars stay for the figures."""
    for rating in db.session.scalars(sa.select(Rating).where(Rating.dossier_id == dossier.id)):
        rating.comment = ""
