"""Uploads: every page a villager or a clerk sends, one-shot or resumable (tus 1.0).

The features route their own upload endpoints (their URLs and names are theirs) and use only
the names below. Lower down, files/ keeps the bytes (photos, storage, the tus protocol, the
partial files, the byte budgets) and dossiers/attachments.py attaches a processed page.

    pages.py       receive_pages() -> Received, answer(): the page pipeline and its answer
    tus_views.py   resumable_routes(): the tus endpoints of one owner (Opening, Reach)
    staging.py     staged_page(), pages_by_document(): pages kept in a draft before it is sent
    budgets.py     upload_limit(), resumable_limit(): the request rates of the upload routes
"""
from .budgets import resumable_limit, upload_limit
from .pages import Received, answer, is_script_upload, receive_pages, script_message
from .staging import pages_by_document, staged_page
from .tus_views import Opening, Reach, resumable_routes, sweep_partial_uploads

__all__ = [
    "Opening", "Reach", "Received", "answer", "init_app", "is_script_upload", "pages_by_document",
    "receive_pages", "resumable_limit", "resumable_routes", "script_message", "staged_page", "upload_limit",
]


def init_app(app):
    """Expired partial uploads are swept from any request on a running server (no cron needed)."""
    app.before_request(sweep_partial_uploads)
