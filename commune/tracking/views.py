"""Tracking views: receipt, lookup, tracking page, supplement answer, withdrawal, rating."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..core.access import remember_tracked, villager_may_view
from ..core.workflow import Status
from ..extensions import db, limiter
from ..htmx import add_vary
from . import bp, receipt, services
from .forms import LookupForm, RatingForm, SupplementAnswerForm, WithdrawForm
from .timeline import next_step, timeline

# The same answer for a wrong phone, a wrong key and an unknown code.
NOT_FOUND = _l("Không tìm thấy hồ sơ với mã và số điện thoại (hoặc mã tra cứu) này. "
               "Hãy kiểm tra lại mã trên biên nhận và số điện thoại đã dùng khi nộp.")
# The villager may still change how the result comes back until it is handed to the post.
METHOD_CHANGEABLE = frozenset({Status.SUBMITTED, Status.RECEIVED, Status.PROCESSING,
                               Status.NEEDS_SUPPLEMENT, Status.READY})


def _lookup_limit():
    return current_app.config["COMMUNE_LOOKUP_LIMIT"]


# Lookups by form and by the QR link's key share one per-IP budget.
_limit_lookup_form = limiter.shared_limit(_lookup_limit, scope="tracking-lookup", methods=["POST"])
_limit_key_link = limiter.shared_limit(_lookup_limit, scope="tracking-lookup",
                                       exempt_when=lambda: "k" not in request.args)


def _access(code):
    """(dossier, as_villager) for a viewer allowed to see it, else (None, False)."""
    dossier = services.find_by_code(code)
    if dossier is None:
        return None, False
    if villager_may_view(dossier):
        return dossier, True
    if dossier.can_view_documents(current_user):
        return dossier, False
    return None, False


def _villager_dossier(code):
    """The dossier for a villager's action (POST), or 404 for anyone else."""
    dossier, as_villager = _access(code)
    if dossier is None or not as_villager:
        abort(404)
    return dossier


def _lookup_page(form, error=None, status=200):
    response = current_app.make_response(
        (render_template("tracking/lookup.html", form=form, error=error), status))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/tra-cuu", methods=["GET", "POST"])
@_limit_lookup_form
def lookup():
    """Look a dossier up with its code and the phone number (or the lookup key)."""
    form = LookupForm()
    if request.method == "GET" and request.args.get("code"):
        form.code.data = request.args["code"][:40]
    if form.validate_on_submit():
        dossier = services.lookup(form.code.data, form.secret.data)
        if dossier is not None:
            remember_tracked(dossier)
            return redirect(url_for("tracking.dossier", code=dossier.code))
        return _lookup_page(form, str(NOT_FOUND), 404)
    return _lookup_page(form, status=400 if form.errors else 200)


@bp.route("/ho-so/<code>/bien-nhan", endpoint="receipt")
def receipt_page(code):
    """The receipt after submitting: code, QR, documents, expected date, what happens next."""
    dossier, _as_villager = _access(code)
    if dossier is None:
        return redirect(url_for("tracking.lookup", code=code))
    documents = receipt.sent_documents(dossier)
    due, confirmed = receipt.expected_date(dossier, documents)
    link = receipt.tracking_url(dossier, with_key=True)
    response = current_app.make_response(render_template(
        "tracking/receipt.html", dossier=dossier, documents=documents, due=due, due_confirmed=confirmed,
        complete=receipt.is_complete(documents),
        qr=receipt.qr_svg(link), lookup_url=receipt.public_url(url_for("tracking.lookup")),
        sms_to=[n.to for n in dossier.notices if n.channel == "sms"],
        email_to=[n.to for n in dossier.notices if n.channel == "email"],
    ))
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/ho-so/<code>")
@_limit_key_link
def dossier(code):
    """The tracking page; with ?k=<lookup key> (the receipt's QR code) it opens the dossier directly."""
    if "k" in request.args:
        found = services.find_by_code(code)
        if services.key_matches(found, request.args["k"]):
            remember_tracked(found)
            return redirect(url_for("tracking.dossier", code=found.code))
        form = LookupForm(formdata=None, code=code[:40])
        return _lookup_page(form, str(NOT_FOUND), 404)
    found, as_villager = _access(code)
    if found is None:
        return _lookup_page(LookupForm(formdata=None, code=code[:40]))
    if found.code != code:
        return redirect(url_for("tracking.dossier", code=found.code))
    return _render_dossier(found, as_villager)


def _render_dossier(dossier, as_villager, status=200, answer_form=None, rating_form=None, item_errors=None):
    """The tracking page (forms passed in keep what the villager typed after an error)."""
    open_request = services.open_supplement_request(dossier)
    if open_request is not None and answer_form is None:
        answer_form = SupplementAnswerForm(formdata=None)
    if rating_form is None and services.can_rate(dossier):
        rating_form = RatingForm(formdata=None)
    sentence, tone = next_step(dossier, open_request, rated=dossier.rating is not None)
    html = render_template(
        "tracking/dossier.html", dossier=dossier, as_villager=as_villager, steps=timeline(dossier),
        next_sentence=sentence, next_tone=tone, open_request=open_request, answer_form=answer_form,
        item_pages=services.pages_by_item(dossier, open_request) if open_request else {},
        item_errors=item_errors or {},
        can_withdraw=services.can_withdraw(dossier), rating_form=rating_form,
        can_change_method=Status(dossier.status) in METHOD_CHANGEABLE,
        documents=receipt.sent_documents(dossier),
    )
    response = current_app.make_response((html, status))
    response.headers["Cache-Control"] = "private, no-store"
    return add_vary(response)


@bp.route("/ho-so/<code>/rut", methods=["GET", "POST"])
def withdraw(code):
    """Withdraw the dossier, after a confirmation step."""
    dossier = _villager_dossier(code)
    if not services.can_withdraw(dossier):
        flash(_("Hồ sơ đang được xử lý hoặc đã kết thúc nên không thể rút nữa. "
                "Vui lòng liên hệ bộ phận Một cửa."))
        return redirect(url_for("tracking.dossier", code=dossier.code))
    form = WithdrawForm()
    if form.validate_on_submit():
        services.withdraw(dossier, form.reason.data)
        db.session.commit()
        flash(_("Đã rút hồ sơ %(code)s.", code=dossier.display_code))
        return redirect(url_for("tracking.dossier", code=dossier.code))
    return render_template("tracking/withdraw.html", dossier=dossier, form=form), (400 if form.errors else 200)


@bp.route("/ho-so/<code>/danh-gia", methods=["POST"])
def rate(code):
    """Rate the service once the dossier is finished (one rating per dossier)."""
    dossier = _villager_dossier(code)
    form = RatingForm()
    if not form.validate_on_submit():
        return _render_dossier(dossier, True, 400, rating_form=form)
    try:
        services.rate(dossier, form.score.data, form.comment.data)
    except services.TrackingError as error:
        db.session.rollback()
        flash(str(error))
        return redirect(url_for("tracking.dossier", code=dossier.code))
    db.session.commit()
    flash(_("Cảm ơn bạn đã đánh giá!"))
    return redirect(url_for("tracking.dossier", code=dossier.code))
