"""The procedure catalog: home, search, fields, procedure pages, QR codes, JSON API."""
from flask import Blueprint

bp = Blueprint("catalog", __name__)

from . import api, printing, views  # noqa: E402,F401
