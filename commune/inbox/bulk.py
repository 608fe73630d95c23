"""Bulk actions of the inbox list beyond assigning: receive several online dossiers at once, then
print their receipts (Form 01) and control sheets (Form 06) in one print job.

Each selected dossier goes through the receive action of actions.py (its roles, states, scope and
service) exactly as the dossier page's button would; one that cannot be received is named in the
report and the others go through.
"""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.permissions import roles_required
from ..core.roles import DESK, DOSSIER_READERS
from ..core.settings import get_settings
from ..dossiers.access import staff_dossier
from ..dossiers.models import CHANNEL_ONLINE, Dossier
from ..dossiers.states import Status, TransitionError
from ..extensions import db
from . import bp
from .actions import ACTIONS
from .forms import BulkReceiveForm, PrintManyForm
from .printables import control_steps, long_date, receipt_extra, sheet_context
from .queries import PER_PAGE
from .services import ActionError

MAX_SHEETS = PER_PAGE  # one page of the list at most in one print job


def _why_not_received(dossier, seen_version):
    """The reason this dossier cannot be received now, or None when it can."""
    action = ACTIONS["receive"]
    if dossier is None or dossier.status == Status.DRAFT or not dossier.can_view(current_user):
        return _("không tìm thấy")
    if seen_version is not None and seen_version != str(dossier.version):
        return _("vừa được người khác thay đổi, mở hồ sơ để xem")
    if not dossier.can_act(current_user, action):
        return _("đang ở trạng thái “%(status)s”", status=_(dossier.status_label))
    if dossier.channel != CHANNEL_ONLINE:
        return _("không nộp trực tuyến, tiếp nhận từng hồ sơ sau khi xem bản giấy")
    return None


@bp.route("/hop-thu/tiep-nhan-nhieu", methods=["POST"])
@roles_required(*DESK)
def bulk_receive():
    """Receive the selected online dossiers, each through the receive action; then print their sheets."""
    form = BulkReceiveForm()
    back = form.back_url(url_for("inbox.index", tab="waiting"))
    if not form.validate_on_submit() or not form.ids.data:
        flash(_("Chọn ít nhất một hồ sơ để tiếp nhận."))
        return redirect(back)
    action = ACTIONS["receive"]
    received, refused = [], []
    for dossier_id in dict.fromkeys(form.ids.data):  # each once, in the list's order
        dossier = db.session.get(Dossier, dossier_id)
        why = _why_not_received(dossier, form.seen_version(dossier) if dossier else None)
        if why is None:
            try:
                action.service(dossier, current_user, None)
            except (ActionError, TransitionError) as error:
                why = getattr(error, "message", None) or _("không thể tiếp nhận ở trạng thái hiện tại")
        if why is None:
            received.append(dossier)
        else:
            refused.append(f"{dossier.display_code if dossier else dossier_id}: {why}")
    db.session.flush()
    if received:
        flash(_("Đã tiếp nhận %(n)s hồ sơ: %(codes)s.", n=len(received),
                codes=", ".join(d.display_code for d in received)))
    if refused:
        flash(_("Không tiếp nhận được %(n)s hồ sơ — %(list)s.", n=len(refused), list="; ".join(refused)))
    if not received:
        return redirect(back)
    return redirect(url_for("inbox.print_many", ids=[d.id for d in received], back=back, **{"print": 1}))


@bp.route("/hop-thu/in-nhieu/chon", methods=["POST"])
@roles_required(*DOSSIER_READERS)
def print_selected():
    """The list's "print" button: the print job of the selected rows (POST, then the GET page)."""
    form = BulkReceiveForm()
    back = form.back_url(url_for("inbox.index"))
    if not form.validate_on_submit() or not form.ids.data:
        flash(_("Chọn ít nhất một hồ sơ để in."))
        return redirect(back)
    ids = list(dict.fromkeys(form.ids.data))
    if len(ids) > MAX_SHEETS:
        flash(_("Mỗi lần in tối đa %(n)s hồ sơ.", n=MAX_SHEETS))
        return redirect(back)
    return redirect(url_for("inbox.print_many", ids=ids, back=back))


@bp.route("/hop-thu/in-nhieu")
@roles_required(*DOSSIER_READERS)
def print_many():
    """One print job: the receipt (once received) and the control sheet of each dossier, a page each."""
    form = PrintManyForm(formdata=request.args)
    if not form.validate() or not form.ids.data or len(form.ids.data) > MAX_SHEETS:
        abort(404)
    items = []
    for dossier_id in dict.fromkeys(form.ids.data):
        dossier = staff_dossier(dossier_id)  # 404 for drafts and unknown ids, 403 for a stranger's
        items.append({
            "receipt": sheet_context(dossier, **receipt_extra(dossier)) if dossier.received_at else None,
            "control": sheet_context(dossier, steps=control_steps(dossier)),
        })
    back = request.args.get("back") or ""
    return render_template("inbox/print/many.html", items=items, site=get_settings(), long_date=long_date,
                           autoprint=request.args.get("print") == "1",
                           back=back if back.startswith("/hop-thu") else url_for("inbox.index"))
