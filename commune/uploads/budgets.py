"""How much one address may send: the request rates of every upload route.

The bytes have their own budgets, kept lower down: the free-disk floor and the daily bytes per
address (files/upload_guard.py, which the tus protocol reserves against before any byte), and
the pages and bytes per dossier and round (dossiers/attachments.py).
"""
from flask import current_app


def upload_limit():
    """One-shot page uploads and tus creations per address (COMMUNE_UPLOAD_LIMIT)."""
    return current_app.config["COMMUNE_UPLOAD_LIMIT"]


def resumable_limit():
    """Requests to one tus upload (offset, chunks, end, outcome) per address (COMMUNE_RESUMABLE_LIMIT)."""
    return current_app.config.get("COMMUNE_RESUMABLE_LIMIT", "1200 per hour")
