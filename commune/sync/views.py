"""The desk's retry of a failed sync, and the admin's sync page (/quan-tri/dong-bo) with its test button."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.permissions import roles_required
from ..core.i18n import N_
from ..core.roles import ADMINS, DESK
from ..dossiers.access import staff_dossier
from . import bp
from .adapters import HTTP, PROTOCOL, REFUSED, TIMEOUT, UNREACHABLE
from .connection import connection_for, save, saved_secret, saved_values
from .forms import RetryForm, SyncSettingsForm
from .models import FAILED
from .secret_box import endpoints
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


# What the test button says of a failure: our words only, never the server's.
TEST_FAILURES = {
    UNREACHABLE: N_("Không kết nối được: không mở được kết nối tới máy chủ ở địa chỉ đã nhập."),
    TIMEOUT: N_("Không kết nối được: máy chủ không trả lời trong thời gian chờ."),
    REFUSED: N_("Không kết nối được: máy chủ từ chối tên đăng nhập / mật khẩu."),
    PROTOCOL: N_("Không kết nối được: máy chủ có trả lời nhưng không theo giao thức của cổng (kiểm tra lại địa chỉ)."),
}


def _form_data(values):
    return {"enabled": str(values.get("sync_enabled") or "").strip().lower() in ("1", "true", "yes", "on"),
            "adapter": values.get("sync_adapter") or "dvcqg", "auth_url": values.get("sync_auth_url") or "",
            "url": values.get("sync_url") or "", "username": values.get("sync_username") or "",
            "unit_code": values.get("sync_unit_code") or ""}


def _typed_values(form):
    return {"sync_enabled": "1" if form.enabled.data else "0", "sync_adapter": form.adapter.data,
            "sync_auth_url": form.auth_url.data, "sync_url": form.url.data, "sync_username": form.username.data,
            "sync_unit_code": form.unit_code.data}


def _in_use(values):
    return endpoints(values.get("sync_auth_url"), values.get("sync_url"))


def _page(form, test_result=None):
    """The settings page: the form as typed, whether a secret is saved (never the secret), the figures."""
    values = saved_values()
    this_month, last_month = month_bounds()
    figures = [(start, end, synced_dossiers(start, end)) for start, end in (this_month, last_month)]
    return render_template("sync/settings.html", form=form, secret_state=saved_secret().state_for(*_in_use(values)),
                           test_result=test_result, counts=queue_counts(), figures=figures)


@bp.route("/quan-tri/dong-bo", methods=["GET", "POST"])
@roles_required(*ADMINS)
def settings():
    """Where and how to sync; the secret is never shown back, and an address changed needs it typed again."""
    values = saved_values()
    form = SyncSettingsForm(data=_form_data(values))
    if form.validate_on_submit() and form.check_save(saved_secret(), _in_use(values)):
        changes = save(current_user, {**_typed_values(form), "sync_secret": form.secret.data},
                       clear_secret=form.clear_secret.data)
        if form.enabled.data:
            wake_after_commit()
        flash(_("Đã lưu cài đặt đồng bộ.") if changes else _("Không có gì thay đổi."))
        return redirect(url_for("sync.settings"))
    return _page(form)


@bp.route("/quan-tri/dong-bo/thu-ket-noi", methods=["POST"])
@roles_required(*ADMINS)
def test():
    """Try the session / token call with what is typed (nothing saved): only whether it worked and, if not,
    why in our own words; the saved secret goes only to the addresses it was typed for."""
    form = SyncSettingsForm()
    if not form.validate_on_submit():
        return _page(form)
    secret = form.secret_for_test(saved_secret())
    if secret is None:
        return _page(form)
    ok, reason, status = test_connection(connection_for(_typed_values(form), secret))
    if ok:
        result = (True, _("Kết nối được: hệ thống của tỉnh đã cấp phiên làm việc."))
    elif reason == HTTP and status:
        result = (False, _("Không kết nối được: máy chủ trả lời mã lỗi HTTP %(code)s.", code=int(status)))
    elif reason in TEST_FAILURES:
        result = (False, _(TEST_FAILURES[reason]))
    else:
        result = (False, _("Không kết nối được."))
    return _page(form, test_result=result)
