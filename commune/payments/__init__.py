"""The payments feature: the fee by VietQR, the desk's confirmations, bank statements, the fee figures."""
from flask import Blueprint

bp = Blueprint("payments", __name__)

from . import cli, views  # noqa: E402,F401
