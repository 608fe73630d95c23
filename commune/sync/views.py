"""The desk's retry of a failed sync, and the admin's sync page (/quan-tri/dong-bo)."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.permissions import roles_required
from ..core.roles import ADMINS, DESK
from ..dossiers.access import staff_dossier
from . import bp
from .connection import save, saved_values
from .forms import RetryForm, SyncSettingsForm, TestConnectionForm
from .models import FAILED
from .send import retry, test_connection
from .status import dossier_sync, month_bounds, queue_counts, synced_dossiers
from .worker import wake_after_commit


@bp.route("/hop-thu/ho-so/<int:dossier_id>/dong-bo/thu-lai", methods=["POST"])
@roles_required(*DESK)
def retry_failed(dossier_id):
    """Send this dossier's failed records again (the desk, after the cause is fixed)."""
    dossier = staff_dossier(dossier_id)
    if not RetryForm().validate_on_submit():
        abort(400)
    failed = [r for r in dossier_sync(dossier, shown=0).failed if r.status == FAILED]
    for record in failed:
        retry(record)
    if failed:
        wake_after_commit()
        flash(_("Đã đưa %(n)s bản ghi đồng bộ vào hàng chờ gửi lại.", n=len(failed)))
    else:
        flash(_("Hồ sơ này không có bản ghi đồng bộ nào bị lỗi."))
    return redirect(url_for("inbox.dossier", dossier_id=dossier.id) + "#dong-bo")


def _form_data(values):
    return {"enabled": str(values.get("sync_enabled") or "").strip().lower() in ("1", "true", "yes", "on"),
            "adapter": values.get("sync_adapter") or "dvcqg", "auth_url": values.get("sync_auth_url") or "",
            "url": values.get("sync_url") or "", "username": values.get("sync_username") or "",
            "unit_code": values.get("sync_unit_code") or ""}


@bp.route("/quan-tri/dong-bo", methods=["GET", "POST"])
@roles_required(*ADMINS)
def settings():
    """Where and how to sync; the secret is never shown back, only whether one is saved."""
    values = saved_values()
    form = SyncSettingsForm(data=_form_data(values))
    if form.validate_on_submit():
        changes = save(current_user, {
            "sync_enabled": "1" if form.enabled.data else "0", "sync_adapter": form.adapter.data,
            "sync_auth_url": form.auth_url.data, "sync_url": form.url.data, "sync_username": form.username.data,
            "sync_secret": form.secret.data, "sync_unit_code": form.unit_code.data,
        }, clear_secret=form.clear_secret.data)
        if form.enabled.data:
            wake_after_commit()
        flash(_("Đã lưu cài đặt đồng bộ.") if changes else _("Không có gì thay đổi."))
        return redirect(url_for("sync.settings"))
    this_month, last_month = month_bounds()
    figures = [(start, end, synced_dossiers(start, end)) for start, end in (this_month, last_month)]
    return render_template("sync/settings.html", form=form, secret_saved=bool(values.get("sync_secret")),
                           test_form=TestConnectionForm(), counts=queue_counts(), figures=figures)


@bp.route("/quan-tri/dong-bo/thu-ket-noi", methods=["POST"])
@roles_required(*ADMINS)
def test():
    """Run the session / token call with the saved settings and say what came back."""
    if not TestConnectionForm().validate_on_submit():
        abort(400)
    ok, detail = test_connection()
    if ok:
        flash(_("Kết nối được: hệ thống của tỉnh đã cấp phiên làm việc."))
    elif detail == "not configured":
        flash(_("Chưa nhập địa chỉ lấy phiên làm việc và địa chỉ gửi hồ sơ."))
    else:
        flash(_("Không kết nối được: %(why)s", why=detail))
    return redirect(url_for("sync.settings"))
