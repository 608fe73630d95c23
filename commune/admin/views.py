"""The admin home and the record of admin changes."""
import sqlalchemy as sa
from flask import render_template, request

from ..core.audit import AuditEntry
from ..extensions import db
from ..web.converters import db_id
from . import bp

PAGE_SIZE = 50


@bp.route("")
def index():
    """Links to every admin page and the latest changes."""
    recent = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(10)).all()
    return render_template("admin/index.html", recent=recent)


@bp.route("/nhat-ky")
def audit_log():
    """Every admin change, newest first, 50 a page."""
    page = max(request.args.get("trang", 1, type=db_id) or 1, 1)
    query = sa.select(AuditEntry).order_by(AuditEntry.id.desc())
    total = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    page = min(page, max(1, -(-total // PAGE_SIZE)))  # past the last page: the last page
    entries = db.session.scalars(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return render_template("admin/audit.html", entries=entries, page=page,
                           has_next=page * PAGE_SIZE < total)
