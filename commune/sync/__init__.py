"""The outbound sync: every dossier and its history sent to the provincial / national one-stop system.

models.py (the queue), queue.py (the workflow listener), payload.py + data/dvcqg.json (what is
sent, as data), adapters.py (DVCQG and LGSP), send.py (the sender), worker.py (thread, hooks,
CLI), status.py (what the clerk and the admin read), views.py (retry, the admin's page).
"""
from flask import Blueprint

bp = Blueprint("sync", __name__)

from . import views  # noqa: E402,F401
