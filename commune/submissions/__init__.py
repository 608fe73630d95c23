"""The submissions feature."""
from flask import Blueprint

bp = Blueprint("submissions", __name__)

from . import views  # noqa: E402,F401
