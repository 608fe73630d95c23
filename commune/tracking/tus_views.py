"""Resumable (tus 1.0) uploads into a supplement answer: the same script and protocol as the draft.

Each upload belongs to one open supplement request of one dossier ("supplement:<id>:<round>"),
reached only by the villager holding the dossier in full; an answered request closes its uploads.
"""
from flask import abort, current_app, request, url_for
from flask_babel import gettext as _

from ..dossiers.models import DossierFile
from ..extensions import db, limiter
from ..submissions.page_uploads import script_message
from ..submissions.resumable_uploads import create_upload, options_answer, serve_upload, uploaded_fragment
from . import bp, services
from .views import _villager_dossier


def _open(code):
    """(dossier, open request, owner) for the villager in full; 409 text once nothing waits for pages."""
    dossier = _villager_dossier(code)
    open_request = services.open_supplement_request(dossier)
    if open_request is None:
        return dossier, None, None
    return dossier, open_request, f"supplement:{dossier.id}:{open_request.round}"


@bp.route("/ho-so/<code>/bo-sung/<int(min=0):item>/tai-len-tiep", methods=["POST", "OPTIONS"])
@limiter.limit(lambda: current_app.config["COMMUNE_UPLOAD_LIMIT"], methods=["POST"])
def supplement_tus_create(code, item):
    """Open a resumable upload for one requested item (tus creation)."""
    if request.method == "OPTIONS":
        return options_answer()
    dossier, open_request, owner = _open(code)
    if open_request is None:
        return script_message(_("Hồ sơ không còn chờ bổ sung."), 409)
    if not 0 <= item < len(open_request.items or []):
        abort(404)
    return create_upload(owner, str(item), lambda upload_id: url_for(
        "tracking.supplement_tus_upload", code=dossier.code, upload_id=upload_id))


@bp.route("/ho-so/<code>/bo-sung/tai-len-tiep/<upload_id>", methods=["GET", "HEAD", "PATCH", "DELETE"])
@limiter.limit(lambda: current_app.config.get("COMMUNE_RESUMABLE_LIMIT", "1200 per hour"))
def supplement_tus_upload(code, upload_id):
    """One resumable upload of the answer: its offset, its next bytes, its end, its outcome."""
    dossier, open_request, owner = _open(code)
    if open_request is None:
        abort(404)

    def attach(data, filename, target):
        return services.add_supplement_page(dossier, open_request, int(target), data, filename)

    def fragment(file_id):
        row = db.session.get(DossierFile, file_id)
        if row is None or row.dossier_id != dossier.id or row.round != open_request.round:
            return None
        return uploaded_fragment("tracking/_uploaded.html", row)

    return serve_upload(upload_id, owner, attach, fragment)
