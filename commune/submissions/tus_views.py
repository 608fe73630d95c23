"""Resumable (tus 1.0) uploads into the draft: a file the phone cannot shrink goes in chunks.

Each upload belongs to the draft it was created for ("draft:<id>"): only the browser holding
that draft reaches it; any other visitor gets 404, as if it did not exist. Abandoned uploads
(every feature's) are swept from here on a running server: see `sweep_partial_uploads`.
"""
from flask import abort, current_app, request, url_for
from flask_babel import gettext as _

from ..core.i18n import N_
from ..dossiers.models import DossierFile
from ..extensions import db, limiter
from ..files import resumable
from . import bp
from .drafts import current_draft
from .page_uploads import script_message
from .resumable_uploads import create_upload, options_answer, serve_upload, uploaded_fragment
from .uploads import OTHER, _part_index, attach_page

MSG_NO_DRAFT = N_("Không tìm thấy hồ sơ đang soạn. Hãy mở lại đường dẫn “tiếp tục”.")


def _owner(dossier):
    return f"draft:{dossier.id}"


@bp.before_app_request
def sweep_partial_uploads():
    """Remove expired partial uploads, at most every few minutes, whatever the request (no cron needed)."""
    resumable.sweep_if_due()


def _no_draft():
    """No draft in this browser: 404, whoever asks (another draft's upload is not shown to exist)."""
    return script_message(_(MSG_NO_DRAFT), 404)


@bp.route("/nop-ho-so/anh-giay-to/<part>/tai-len-tiep", methods=["POST", "OPTIONS"])
@limiter.limit(lambda: current_app.config["COMMUNE_UPLOAD_LIMIT"], methods=["POST"])
def tus_create(part):
    """Open a resumable upload for one document of the draft (tus creation)."""
    if request.method == "OPTIONS":
        return options_answer()
    dossier = current_draft()
    if dossier is None:
        return _no_draft()
    _part_index(dossier, part)  # 404 for a part the procedure does not have
    return create_upload(_owner(dossier), part,
                         lambda upload_id: url_for("submissions.tus_upload", upload_id=upload_id))


@bp.route("/nop-ho-so/tai-len-tiep/<upload_id>", methods=["GET", "HEAD", "PATCH", "DELETE"])
@limiter.limit(lambda: current_app.config.get("COMMUNE_RESUMABLE_LIMIT", "1200 per hour"))
def tus_upload(upload_id):
    """One resumable upload of the draft: its offset, its next bytes, its end, its outcome."""
    dossier = current_draft()
    if dossier is None:
        return _no_draft()

    def attach(data, filename, target):
        return attach_page(dossier, data, filename, None if target == OTHER else _part_index(dossier, target))

    def fragment(file_id):
        row = db.session.get(DossierFile, file_id)
        if row is None or row.dossier_id != dossier.id or row.round != 0:
            return None
        return uploaded_fragment("submissions/_uploaded.html", row)

    if not upload_id:
        abort(404)
    return serve_upload(upload_id, _owner(dossier), attach, fragment)
