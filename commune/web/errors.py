"""Error pages in the site's layout and in the user's language; never a stack trace.

Any exception no view handled becomes the Vietnamese "Đã có lỗi" page (status 500) and is
logged with its traceback; if even the layout cannot be drawn (the database is down, so the
site's settings cannot be read), a bare page with the same words is sent instead of
Werkzeug's English one. A 500 is still a bug: tests/security/test_fuzz.py fails on any 5xx.
"""
import logging

from flask import render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..extensions import db

log = logging.getLogger("commune.errors")

MESSAGES = {
    400: ("Yêu cầu không hợp lệ", "Trang không hiểu được yêu cầu này. Vui lòng quay lại và thử lại."),
    403: ("Không có quyền truy cập", "Bạn không có quyền xem trang này."),
    404: ("Không tìm thấy trang", "Trang bạn tìm không có hoặc đã được chuyển đi."),
    405: ("Yêu cầu không hợp lệ", "Trang không nhận yêu cầu kiểu này."),
    413: ("Tệp quá lớn", "Tệp bạn gửi quá lớn. Hãy chụp lại ảnh với kích thước nhỏ hơn hoặc gửi từng ảnh một."),
    429: ("Quá nhiều lần thử", "Bạn đã thử quá nhiều lần. Vui lòng đợi vài phút rồi thử lại."),
    500: ("Đã có lỗi", "Hệ thống gặp sự cố. Những gì bạn đã nhập vẫn được giữ; vui lòng thử lại sau ít phút."),
}


def render_error(code, title=None, message=None, retry_after=None):
    """Render the error page for `code` with a translated title and message."""
    default_title, default_message = MESSAGES.get(code, MESSAGES[500])
    html = render_template(
        "errors/error.html",
        code=code,
        title=_(title or default_title),
        message=_(message or default_message),
        retry_after=retry_after,
    )
    return html, code


def init_app(app):
    @app.errorhandler(CSRFError)
    def _csrf(_error):
        return render_error(
            400, "Phiên làm việc đã hết hạn",
            "Trang này đã mở quá lâu. Vui lòng tải lại trang và gửi lại; dữ liệu đã lưu không bị mất.",
        )

    @app.errorhandler(HTTPException)
    def _http(error):
        if error.code == 429 and getattr(error, "response", None) is not None:
            return error.response  # a limit that says itself what to do (its on_breach page)
        retry_after = None
        if error.code == 429:
            retry_after = _retry_minutes(error)
        response = render_error(error.code if error.code in MESSAGES else 400, retry_after=retry_after)
        return response

    @app.errorhandler(Exception)
    def _unexpected(error):
        log.exception("unhandled error on %s %s", request.method, request.url_rule.rule if request.url_rule else "-")
        try:
            db.session.rollback()
            return render_error(500)
        except Exception:  # noqa: BLE001 - the error page itself failed: answer without the layout
            log.exception("the error page failed too")
            return bare_error_page(), 500


def bare_error_page():
    """The 500 page without the layout or the database: a few lines of HTML, in Vietnamese."""
    title, message = MESSAGES[500]
    return (f'<!doctype html><html lang="vi"><meta charset="utf-8"><title>{title}</title>'
            f"<h1>{title}</h1><p>{message}</p><p><a href=\"/\">Về trang chủ</a></p></html>")


def _retry_minutes(error):
    """Minutes until a rate limit lets the caller in again (at least 1)."""
    limit = getattr(error, "limit", None)
    try:
        seconds = limit.limit.get_expiry() if limit else 60
    except Exception:  # noqa: BLE001 - a missing detail must not break the error page
        seconds = 60
    return max(1, round(seconds / 60))
