"""GET /healthz: 200 when the database answers, 503 otherwise."""
import sqlalchemy as sa

from ..extensions import db


def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        db.session.rollback()
        return {"status": "database unavailable"}, 503
    return {"status": "ok"}, 200


def init_app(app):
    app.add_url_rule("/healthz", "healthz", healthz)
