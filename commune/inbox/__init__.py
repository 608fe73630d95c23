"""The inbox feature."""
from flask import Blueprint

bp = Blueprint("inbox", __name__)

from . import counter, dossier_views, files, printables, views  # noqa: E402,F401
