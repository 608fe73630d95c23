"""A dossier's states: their labels, badge tones, the moves allowed between them."""
from enum import StrEnum

from ..core.domain_error import DomainError


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RECEIVED = "received"
    PROCESSING = "processing"
    NEEDS_SUPPLEMENT = "needs_supplement"
    READY = "ready"
    DELIVERING = "delivering"
    RETURNED = "returned"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"

    @property
    def label(self):
        """The state's name for people (a msgid: templates show it through _())."""
        return LABELS[self]

    @property
    def tone(self):
        """The badge colour of the state."""
        return BADGES[self]


# Vietnamese label (msgid) and a badge colour class for each state.
LABELS = {
    Status.DRAFT: "Đang soạn",
    Status.SUBMITTED: "Chờ tiếp nhận",
    Status.RECEIVED: "Đã tiếp nhận",
    Status.PROCESSING: "Đang xử lý",
    Status.NEEDS_SUPPLEMENT: "Chờ bổ sung",
    Status.READY: "Có kết quả",
    Status.DELIVERING: "Đang chuyển phát",
    Status.RETURNED: "Đã trả kết quả",
    Status.REFUSED: "Từ chối",
    Status.WITHDRAWN: "Đã rút",
}
BADGES = {
    Status.DRAFT: "grey",
    Status.SUBMITTED: "blue",
    Status.RECEIVED: "blue",
    Status.PROCESSING: "blue",
    Status.NEEDS_SUPPLEMENT: "amber",
    Status.READY: "green",
    Status.DELIVERING: "green",
    Status.RETURNED: "grey",
    Status.REFUSED: "red",
    Status.WITHDRAWN: "grey",
}

ALLOWED = {
    Status.DRAFT: {Status.SUBMITTED, Status.WITHDRAWN},
    Status.SUBMITTED: {Status.RECEIVED, Status.NEEDS_SUPPLEMENT, Status.REFUSED, Status.WITHDRAWN},
    Status.RECEIVED: {Status.PROCESSING, Status.NEEDS_SUPPLEMENT, Status.READY, Status.REFUSED,
                      Status.WITHDRAWN},
    Status.PROCESSING: {Status.NEEDS_SUPPLEMENT, Status.READY, Status.REFUSED},
    # Back to where it was when the villager answers (checked against status_before_supplement).
    Status.NEEDS_SUPPLEMENT: {Status.SUBMITTED, Status.RECEIVED, Status.PROCESSING, Status.REFUSED,
                              Status.WITHDRAWN},
    Status.READY: {Status.RETURNED, Status.DELIVERING},
    Status.DELIVERING: {Status.RETURNED, Status.READY},
    Status.RETURNED: set(),
    Status.REFUSED: set(),
    Status.WITHDRAWN: set(),
}
FINAL = frozenset({Status.RETURNED, Status.REFUSED, Status.WITHDRAWN})
OPEN = frozenset({Status.SUBMITTED, Status.RECEIVED, Status.PROCESSING, Status.NEEDS_SUPPLEMENT,
                  Status.READY, Status.DELIVERING})
# A villager may withdraw until the clerk starts processing.
WITHDRAWABLE = frozenset({Status.SUBMITTED, Status.RECEIVED, Status.NEEDS_SUPPLEMENT})


class TransitionError(DomainError):
    """A move the life cycle does not allow."""


def can_transition(dossier, to):
    to = Status(to)
    current = Status(dossier.status)
    if to not in ALLOWED[current]:
        return False
    if current == Status.NEEDS_SUPPLEMENT and to not in (Status.REFUSED, Status.WITHDRAWN):
        return to == Status(dossier.status_before_supplement or Status.SUBMITTED)
    return True
