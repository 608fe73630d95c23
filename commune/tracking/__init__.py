"""The tracking feature."""
from flask import Blueprint

bp = Blueprint("tracking", __name__)

from . import views  # noqa: E402,F401
