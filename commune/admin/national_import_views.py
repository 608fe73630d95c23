"""The national procedure list import: upload the portal's Excel file, see the differences, confirm."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField
from wtforms.validators import DataRequired, Length

from ..core.forms import CommuneForm
from ..web.unit_of_work import after_commit
from . import bp
from . import national_import as national
from .national_import import ImportRefused

URL = "/thu-tuc/nhap-danh-muc-quoc-gia"
ACCEPTED_HEADERS = ("STT", "Mã thủ tục", "Tên thủ tục", "Lĩnh vực", "Cấp thực hiện", "Mã địa phương",
                    "Cơ quan thực hiện", "Mức độ")


class NationalListUpload(CommuneForm):
    file = FileField(_l("Tệp danh sách thủ tục (Excel .xlsx)"), validators=[FileRequired(_l("Chọn một tệp."))])


class NationalListConfirm(CommuneForm):
    token = HiddenField(validators=[DataRequired(), Length(max=64)])  # names the kept file, never its content


def _page(upload, comparison=None, confirm=None, status=200):
    return render_template("admin/national_import.html", form=upload, comparison=comparison, confirm=confirm,
                           headers=ACCEPTED_HEADERS), status


@bp.route(URL, methods=["GET", "POST"])
def national_import():
    """Step 1: upload and compare; nothing is written to the catalog."""
    form = NationalListUpload()
    if request.method == "POST":
        if not form.validate_on_submit():
            return _page(form, status=400)
        try:
            procedures = national.read_list(form.file.data.read())
        except ImportRefused as error:
            form.file.errors.append(str(error))
            return _page(form, status=400)
        token = national.stage(current_user, procedures, form.file.data.filename or "")
        return redirect(url_for("admin.national_import_review", token=token))
    return _page(form)


@bp.route(URL + "/xem-lai", methods=["GET"])
def national_import_review():
    """The differences of a kept list, with the confirm button."""
    kept = national.staged(current_user, request.args.get("token", ""))
    if kept is None:
        flash(_("Danh sách đã tải lên không còn (quá một giờ hoặc đã áp dụng). Tải tệp lên lại."))
        return redirect(url_for("admin.national_import"))
    comparison = national.compare(kept["procedures"])
    confirm = NationalListConfirm(token=request.args["token"])
    return _page(NationalListUpload(), comparison, confirm)


@bp.route(URL + "/ap-dung", methods=["POST"])
def national_import_apply():
    """Step 2: apply the kept list (read again from the data folder) to the catalog."""
    form = NationalListConfirm()
    kept = national.staged(current_user, form.token.data) if form.validate_on_submit() else None
    if kept is None:
        flash(_("Danh sách đã tải lên không còn (quá một giờ hoặc đã áp dụng). Tải tệp lên lại."))
        return redirect(url_for("admin.national_import"))
    result = national.apply(current_user, kept["procedures"])
    token = form.token.data
    after_commit(lambda: national.discard(token))  # kept until the catalog's changes are committed
    flash(_("Đã áp dụng danh sách quốc gia: %(new)s thủ tục mới (đang ngừng áp dụng, cần bổ sung thông tin), "
            "%(changed)s thủ tục cập nhật; %(missing)s thủ tục của xã không có trong danh sách, giữ nguyên.",
            new=len(result.new), changed=len(result.changed), missing=len(result.missing)))
    return redirect(url_for("admin.procedures"))
