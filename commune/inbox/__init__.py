"""The inbox feature."""
from flask import Blueprint

bp = Blueprint("inbox", __name__)

from . import bulk, counter, counter_uploads, dossier_views, files, printables, ready_text_views, views  # noqa: E402,F401
