"""The tracking feature: receipt, lookup, tracking page, supplement answers, withdrawal, rating."""
from flask import Blueprint

bp = Blueprint("tracking", __name__)


from . import results, supplement_views, views  # noqa: E402,F401
