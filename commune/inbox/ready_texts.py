"""Ready-made texts the clerk picks in the supplement-request and refusal forms, then edits.

The admin keeps the list (admin/ready_text_views.py): each text is for one kind of form, and for
one procedure or, without one, for every procedure. The dossier page offers a dossier's
procedure's own texts first, then the commune-wide ones. `flask setup` and the demo load
DEFAULTS (commune-wide) into an empty list.
"""
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.enum_column import StrEnumType
from ..core.timeutil import utcnow
from ..extensions import db

if TYPE_CHECKING:  # the relationships' types only (no import at run time)
    from ..catalog.models import Procedure


class TextKind(StrEnum):
    """The inbox actions whose form takes a ready-made text (their keys in actions.py)."""

    SUPPLEMENT = "supplement"
    REFUSE = "refuse"


SUPPLEMENT, REFUSE = TextKind.SUPPLEMENT, TextKind.REFUSE
KINDS = {SUPPLEMENT: _l("Yêu cầu bổ sung"), REFUSE: _l("Từ chối")}
TARGET_FIELD = {SUPPLEMENT: "message", REFUSE: "reason"}  # the box of the action's form the text goes into
MAX_BODY = 2000  # fits the smaller of the two boxes (inbox/forms.py: the refusal's reason)


class ReadyText(db.Model):
    """One ready-made text: a short title for the menu and the words that go into the box."""

    __tablename__ = "ready_texts"

    id: Mapped[int] = mapped_column(db.Integer, primary_key=True)
    kind: Mapped[TextKind] = mapped_column(StrEnumType(TextKind, 20), nullable=False)
    procedure_id: Mapped[int | None] = mapped_column(db.Integer, db.ForeignKey("procedures.id", ondelete="CASCADE"),
                                                     index=True)
    title: Mapped[str] = mapped_column(db.String(200), nullable=False)
    body: Mapped[str] = mapped_column(db.Text, nullable=False)
    position: Mapped[int] = mapped_column(db.Integer, nullable=False, default=0)
    updated_at: Mapped[datetime] = mapped_column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    procedure: Mapped["Procedure | None"] = relationship("Procedure")

    @property
    def kind_label(self):
        return KINDS.get(self.kind, self.kind)

    def as_dict(self):
        """What the audit log compares."""
        return {"kind": self.kind, "procedure_id": self.procedure_id, "title": self.title, "body": self.body,
                "position": self.position}


def texts_for(kind, procedure_id):
    """The texts offered for a dossier of this procedure: its own first, then the commune-wide ones."""
    return db.session.scalars(
        sa.select(ReadyText)
        .where(ReadyText.kind == kind,
               sa.or_(ReadyText.procedure_id.is_(None), ReadyText.procedure_id == procedure_id))
        .order_by(ReadyText.procedure_id.is_(None), ReadyText.position, ReadyText.title, ReadyText.id)).all()


def offered_text(kind, procedure_id, text_id):
    """The text with this id if it is offered for this kind and procedure, else None."""
    text = db.session.get(ReadyText, text_id) if text_id else None
    if text is None or text.kind != kind or text.procedure_id not in (None, procedure_id):
        return None
    return text


def all_texts():
    """Every text, for the admin: by kind, commune-wide first, then by procedure."""
    return db.session.scalars(
        sa.select(ReadyText).order_by(ReadyText.kind.desc(), ReadyText.procedure_id.isnot(None),
                                      ReadyText.procedure_id, ReadyText.position, ReadyText.title)).all()


def insert_text(current, text):
    """The box's content with the text put in: the text alone in an empty box, else after what the
    clerk wrote (kept), once."""
    current = (current or "").rstrip()
    if not current:
        return text
    if text in current:
        return current
    return f"{current}\n{text}"


# The default list (commune-wide): the usual reasons at a commune desk, in plain words.
DEFAULTS = (
    (SUPPLEMENT, "Ảnh chụp bị mờ, mất góc",
     "Ảnh chụp giấy tờ bị mờ hoặc mất góc nên cán bộ không đọc được. Ông/bà vui lòng chụp lại nơi đủ "
     "sáng, rõ chữ, đủ bốn góc giấy rồi gửi lại trên trang tra cứu hồ sơ."),
    (SUPPLEMENT, "Thiếu trang",
     "Giấy tờ gửi còn thiếu trang. Ông/bà vui lòng chụp và gửi đủ tất cả các trang, kể cả mặt sau nếu có "
     "nội dung."),
    (SUPPLEMENT, "Tờ khai ghi thiếu hoặc chưa ký",
     "Tờ khai còn thiếu thông tin hoặc chưa có chữ ký của người yêu cầu. Ông/bà vui lòng ghi đủ các mục "
     "còn trống, ký và ghi rõ họ tên, rồi chụp gửi lại."),
    (SUPPLEMENT, "Giấy tờ tùy thân hết hạn",
     "Giấy tờ tùy thân trong hồ sơ đã hết hạn. Ông/bà vui lòng gửi ảnh giấy tờ còn hạn (thẻ căn cước "
     "hoặc hộ chiếu)."),
    (SUPPLEMENT, "Thông tin giữa các giấy tờ không khớp",
     "Họ tên, ngày sinh hoặc số giấy tờ ghi trên các giấy tờ không khớp nhau. Ông/bà vui lòng kiểm tra lại "
     "và gửi giấy tờ đúng, hoặc giấy tờ chứng minh việc thay đổi thông tin."),
    (REFUSE, "Không thuộc thẩm quyền của xã",
     "Yêu cầu của ông/bà không thuộc thẩm quyền giải quyết của Ủy ban nhân dân xã. Ông/bà vui lòng liên "
     "hệ cơ quan có thẩm quyền để được hướng dẫn."),
    (REFUSE, "Không đủ điều kiện theo quy định",
     "Hồ sơ không đáp ứng điều kiện để giải quyết theo quy định của pháp luật đối với thủ tục này."),
    (REFUSE, "Không bổ sung trong thời hạn",
     "Ông/bà chưa bổ sung, hoàn thiện hồ sơ theo phiếu yêu cầu bổ sung trong thời hạn quy định nên hồ sơ "
     "không được tiếp tục giải quyết. Ông/bà có thể nộp hồ sơ mới khi đã chuẩn bị đủ giấy tờ."),
    (REFUSE, "Hồ sơ nộp trùng",
     "Hồ sơ này trùng với một hồ sơ khác ông/bà đã nộp cho cùng yêu cầu và đang được giải quyết."),
    (REFUSE, "Giấy tờ bị tẩy xóa, sửa chữa",
     "Giấy tờ trong hồ sơ bị tẩy xóa, sửa chữa nội dung nên không đủ căn cứ để giải quyết."),
)


def ready_texts_are_empty():
    return db.session.scalar(sa.select(sa.func.count()).select_from(ReadyText)) == 0


def load_defaults():
    """Add the default list (flush); returns how many were added."""
    for position, (kind, title, body) in enumerate(DEFAULTS):
        db.session.add(ReadyText(kind=kind, title=title, body=body, position=position))
    db.session.flush()
    return len(DEFAULTS)
