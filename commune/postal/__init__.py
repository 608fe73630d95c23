"""The postal feature."""
from flask import Blueprint

bp = Blueprint("postal", __name__)

from . import views  # noqa: E402,F401
