"""The reports feature."""
from flask import Blueprint

bp = Blueprint("reports", __name__)

from . import cli, drilldown, views  # noqa: E402,F401
