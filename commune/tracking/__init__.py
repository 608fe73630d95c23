"""The tracking feature: receipt, lookup, tracking page, supplement answers, withdrawal, rating.

It also wires the notices outbox (commune.core.notices_worker) into the app,
since notices are what keep a tracked dossier's villager informed.
"""
from flask import Blueprint

bp = Blueprint("tracking", __name__)


@bp.record_once
def _init_notices(state):
    from ..core import notices_worker

    notices_worker.init_app(state.app)


from . import supplement_views, views  # noqa: E402,F401
