"""Commune settings: name, address, hours, postal note, the supplement rule, e-mail and SMS, retention times."""
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..core.settings import SECRET_KEYS
from ..dossiers.retention import retention_outlook
from . import bp, services
from .forms import SettingsForm

SKIP = {"csrf_token", "clear_smtp_password", "clear_sms_auth"}


@bp.route("/cai-dat", methods=["GET", "POST"])
def settings():
    """Edit the settings; secrets are never shown back, only whether one is saved."""
    current = services.current_settings()
    form = SettingsForm(data={k: v for k, v in current.items() if k not in SECRET_KEYS})
    if form.validate_on_submit():
        values = {name: field.data for name, field in form._fields.items() if name not in SKIP}
        if form.clear_smtp_password.data:
            values["smtp_password"] = "__clear__"
        if form.clear_sms_auth.data:
            values["sms_auth"] = "__clear__"
        changes = services.save_settings(current_user, values)
        flash(_("Đã lưu cài đặt.") if changes else _("Không có gì thay đổi."))
        return redirect(url_for("admin.settings"))
    saved_secrets = {key: bool(current.get(key)) for key in SECRET_KEYS}
    return render_template("admin/settings.html", form=form, saved_secrets=saved_secrets,
                           retention=retention_outlook())
