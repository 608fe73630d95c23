"""What can happen to a dossier besides a status move's own state: one kind per event, and how
each reads to the clerk, to the villager and in a notice.

Every event row's `kind` is one of these. The three readers take their words from here only:
the clerk's timeline and control sheet (`clerk_label`), the villager's timeline and delivery
steps (`villager_title`, `tone`), the SMS/e-mail outbox (`notice_title`: always Vietnamese,
the outbox writes its own sentence around it). None means "this reader is not told".
"""
from dataclasses import dataclass
from enum import StrEnum

from flask_babel import lazy_gettext as _l


class EventKind(StrEnum):
    STATUS = "status"                            # a status move (transition())
    SUPPLEMENT_ANSWERED = "supplement_answered"  # the villager's answer: a move back, by the villager
    NOTE = "note"
    MESSAGE = "message"
    ASSIGN = "assign"
    APOLOGY = "apology"
    CHECKLIST = "checklist"
    SUPPLEMENT_CHECKED = "supplement_checked"
    DOCUMENT_VIEW = "document_view"
    RESULT_DOWNLOAD = "result_download"          # the villager downloaded the electronic result (each time)
    ERASED = "erased"
    DELIVERY_METHOD = "delivery_method"
    DELIVERY_MANIFEST = "delivery_manifest"
    DELIVERY_MISSING = "delivery_missing"
    DELIVERY_HANDED = "delivery_handed"
    DELIVERY_OUT = "delivery_out"
    DELIVERY_DELIVERED = "delivery_delivered"
    DELIVERY_FAILED = "delivery_failed"
    DELIVERY_RETURNED = "delivery_returned"
    FEE_CORRECTED = "fee_corrected"              # the clerk corrected the computed fee, with the reason
    PAYMENT_CONFIRMED = "payment_confirmed"      # the desk confirmed the fee was received (payments/)

    @property
    def clerk_label(self):
        return _WORDS[self].clerk

    @property
    def villager_title(self):
        return _WORDS[self].villager

    @property
    def notice_title(self):
        return _WORDS[self].notice

    @property
    def tone(self):
        return _WORDS[self].tone

    @property
    def is_delivery(self):
        return self.value.startswith("delivery_")

    @classmethod
    def of(cls, value):
        """The member for a stored kind (an unknown or empty kind reads as a status move)."""
        try:
            return cls(value or cls.STATUS)
        except ValueError:
            return cls.STATUS


@dataclass(frozen=True)
class _Words:
    clerk: object
    villager: object = None
    notice: str | None = None
    tone: str = ""  # "", "ok", "warn", "bad": the villager's timeline colours


K = EventKind
_WORDS = {
    K.STATUS: _Words(_l("Chuyển trạng thái")),
    K.SUPPLEMENT_ANSWERED: _Words(_l("Người dân gửi bổ sung"), _l("Bạn đã gửi bổ sung"), None, "ok"),
    K.NOTE: _Words(_l("Ghi chú nội bộ")),
    K.MESSAGE: _Words(_l("Nhắn người dân"), _l("Tin nhắn từ bộ phận Một cửa"), "Tin nhắn từ bộ phận Một cửa"),
    K.ASSIGN: _Words(_l("Giao xử lý")),
    K.APOLOGY: _Words(_l("Xin lỗi và hẹn lại"), _l("Xin lỗi vì trễ hạn, hẹn lại ngày trả kết quả"),
                      "Xin lỗi vì trễ hạn, hẹn lại ngày trả", "warn"),
    K.CHECKLIST: _Words(_l("Kiểm tra thành phần hồ sơ")),
    K.SUPPLEMENT_CHECKED: _Words(_l("Đã xem phần bổ sung")),
    K.DOCUMENT_VIEW: _Words(_l("Xem giấy tờ")),
    K.RESULT_DOWNLOAD: _Words(_l("Người dân tải bản điện tử của kết quả")),
    K.ERASED: _Words(_l("Xóa dữ liệu hết hạn lưu trữ")),
    K.DELIVERY_METHOD: _Words(_l("Đổi cách nhận kết quả"), _l("Đổi cách nhận kết quả")),
    K.DELIVERY_MANIFEST: _Words(_l("Đưa vào bảng kê bưu chính")),
    K.DELIVERY_MISSING: _Words(_l("Thiếu khi bàn giao cho bưu điện")),
    K.DELIVERY_HANDED: _Words(_l("Đã giao cho bưu điện"), _l("Kết quả đã được giao cho bưu điện"),
                              "Kết quả đã được giao cho bưu điện"),
    K.DELIVERY_OUT: _Words(_l("Bưu tá đi phát"), _l("Bưu tá đang mang kết quả đến"),
                           "Bưu tá đang mang kết quả đến"),
    K.DELIVERY_DELIVERED: _Words(_l("Đã phát thành công"), _l("Đã giao kết quả thành công"),
                                 "Kết quả đã được giao", "ok"),
    K.DELIVERY_FAILED: _Words(_l("Phát không thành công"), _l("Giao kết quả không thành công"),
                              "Bưu tá giao kết quả không thành công", "bad"),
    K.DELIVERY_RETURNED: _Words(_l("Bưu điện trả kết quả về xã"),
                                _l("Bưu điện chuyển trả kết quả về bộ phận Một cửa"),
                                "Kết quả đã được chuyển về bộ phận Một cửa"),
    K.FEE_CORRECTED: _Words(_l("Điều chỉnh lệ phí"), _l("Lệ phí được điều chỉnh")),
    K.PAYMENT_CONFIRMED: _Words(_l("Xác nhận đã nhận lệ phí"), _l("Đã thanh toán lệ phí"), None, "ok"),
}
assert set(_WORDS) == set(EventKind), "every event kind has its words"
