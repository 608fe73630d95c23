"""Tracking views: receipt, lookup, tracking page, supplement answer, withdrawal, rating."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..core.forms import ButtonForm
from ..core.i18n import N_
from ..dossiers import owner_device
from ..dossiers.access import FULL, STATUS, forget, grant, held_key, holds_access, level
from ..dossiers.codes import is_link_token, normalise_code
from ..dossiers.states import Status
from ..extensions import limiter
from ..notices.outbox import EMAIL, SMS
from ..notices.texts import SHORT_PATH
from ..web.errors import render_error
from ..web.htmx import add_vary
from ..web.unit_of_work import refusal_rolls_back
from . import bp, receipt, services
from .forms import KeyForm, LookupForm, RatingForm, SupplementAnswerForm, WithdrawForm
from .results import electronic_result
from .sent import sent_rounds
from .timeline import next_step, timeline

# The same answer for a wrong phone, a wrong key and an unknown code.
NOT_FOUND = _l("Không tìm thấy hồ sơ với mã và số điện thoại (hoặc mã tra cứu) này. "
               "Hãy kiểm tra lại mã trên biên nhận và số điện thoại đã dùng khi nộp.")
STAFF_SIGNED_IN = _l("Bạn đang đăng nhập bằng tài khoản cán bộ. Cán bộ không tra cứu thay người dân: "
                     "hãy mở hồ sơ trong hộp thư, hoặc đăng xuất trước khi tra cứu.")
# The villager may still change how the result comes back until it is handed to the post.
METHOD_CHANGEABLE = frozenset({Status.SUBMITTED, Status.RECEIVED, Status.PROCESSING,
                               Status.NEEDS_SUPPLEMENT, Status.READY})
STAFF = "staff"


def _lookup_limit():
    return current_app.config["COMMUNE_LOOKUP_LIMIT"]


def _code_limit():
    return current_app.config["COMMUNE_LOOKUP_CODE_LIMIT"]


def _code_asked():
    code = request.form.get("code") if request.method == "POST" else (request.view_args or {}).get("code")
    return normalise_code(code)[:20]


def _typed_code():
    """The tracking code a look-up is about: the form's, or the QR link's path."""
    return "code:" + _code_asked()


def _owners_browser():
    """A browser that opened this code in full before: strangers' failures never pause it."""
    return owner_device.knows(_code_asked())


def _failed(response):
    """Only a look-up that found nothing counts: a correct one costs nothing."""
    return response.status_code == 404


def _short_key_link():
    """A ?k= link that carries a short key (an older receipt's QR, or one typed into the address bar)."""
    return "k" in request.args and not is_link_token(request.args["k"])


def _code_locked(_limit):
    """What a villager sees when a code's daily budget of failures is spent: how to get in anyway."""
    response = current_app.make_response(render_error(429, CODE_LOCKED_TITLE, CODE_LOCKED))
    response.headers["Cache-Control"] = "no-store"
    return response


CODE_LOCKED_TITLE = N_("Tạm khoá nhập mã cho hồ sơ này")
CODE_LOCKED = N_("Hôm nay đã có quá nhiều lần nhập sai cho mã hồ sơ này, nên tạm dừng nhận mã tra cứu và số điện "
               "thoại cho hồ sơ này đến hết ngày. Quét mã QR trên biên nhận vẫn mở được hồ sơ; hoặc thử lại vào "
               "ngày mai, hoặc đến bộ phận Một cửa, mang theo CCCD.")

# Only failures count, and a limit is consulted before the credential is checked (a limit that still
# checked it would stop nobody). Per address (COMMUNE_LOOKUP_LIMIT): a guesser waits, a busy waiting
# room on one Wi-Fi address is not locked out by one guesser for more than a minute. Per code
# (COMMUNE_LOOKUP_CODE_LIMIT, failures a day from every address together): the short key and the phone
# are what a guesser can try, so they stop for the day once that budget is spent; the QR link's token
# (100 bits, docs/security.md) cannot be guessed and is never counted per code, so a stranger's failures
# never stop the owner's QR link, nor any browser that already holds the dossier, nor the typed key in a
# browser that opened the dossier in full before (dossiers/owner_device.py).
_limit_lookup_form = limiter.shared_limit(_lookup_limit, scope="tracking-lookup", methods=["POST"],
                                          deduct_when=_failed)
_limit_lookup_code = limiter.shared_limit(_code_limit, scope="tracking-lookup-code", methods=["POST"],
                                          key_func=_typed_code, deduct_when=_failed, on_breach=_code_locked,
                                          exempt_when=_owners_browser)
_limit_key_link = limiter.shared_limit(_lookup_limit, scope="tracking-lookup", deduct_when=_failed,
                                       exempt_when=lambda: "k" not in request.args)
_limit_key_code = limiter.shared_limit(_code_limit, scope="tracking-lookup-code", key_func=_typed_code,
                                       deduct_when=_failed, on_breach=_code_locked,
                                       exempt_when=lambda: not _short_key_link() or _owners_browser())


def _access(code):
    """(dossier, FULL | STATUS | STAFF) for a viewer allowed to see it, else (None, None).

    Staff are staff: a logged-in account never gets the villager's rights, whatever the session holds."""
    dossier = services.find_by_code(code)
    if dossier is None:
        return None, None
    if current_user.is_authenticated:
        return (dossier, STAFF) if dossier.can_view(current_user) else (None, None)
    found = level(dossier)
    return (dossier, found) if found else (None, None)


def villager_dossier(code):
    """The dossier for a villager's action (full access only), or 404 for anyone else, staff included."""
    dossier, access = _access(code)
    if dossier is None or access != FULL:
        abort(404)
    return dossier


def _lookup_page(form, error=None, status=200):
    if current_user.is_authenticated and error is None:
        error = str(STAFF_SIGNED_IN)
    response = current_app.make_response(
        (render_template("tracking/lookup.html", form=form, error=error), status))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/tra-cuu", methods=["GET", "POST"])
@_limit_lookup_form
@_limit_lookup_code
def lookup():
    """Look a dossier up: code + phone opens its status; code + the receipt's key opens it all."""
    form = LookupForm()
    if request.method == "GET" and request.args.get("code"):
        form.code.data = request.args["code"][:40]
    if current_user.is_authenticated:
        return _lookup_page(form, str(STAFF_SIGNED_IN), 403 if request.method == "POST" else 200)
    if form.validate_on_submit():
        dossier, found = services.lookup(form.code.data, form.secret.data)
        if dossier is not None:
            grant(dossier, found, key=normalise_code(form.secret.data) if found == FULL else None)
            if found == STATUS:
                flash(_("Bạn đang xem tình trạng hồ sơ. Để xem giấy tờ và làm tiếp các bước, "
                        "nhập mã tra cứu in trên biên nhận."))
            return redirect(url_for("tracking.dossier", code=dossier.code))
        return _lookup_page(form, str(NOT_FOUND), 404)
    return _lookup_page(form, status=400 if form.errors else 200)


@bp.route(SHORT_PATH + "<code>")
def short_link(code):
    """The SMS's short link: the tracking page, which without a credential is the look-up with the
    code filled in. The same answer whether the code exists or not."""
    return redirect(url_for("tracking.dossier", code=normalise_code(code)[:20] or "-"))


@bp.route("/thoat", methods=["POST"])
def sign_out():
    """"Thoát": this browser forgets every dossier it opened and its draft (for a shared phone)."""
    if not ButtonForm().validate_on_submit():
        abort(400)
    flash(_("Đã thoát. Trình duyệt này không còn mở được hồ sơ của bạn."))
    return forget(redirect(url_for("catalog.home")))


@bp.route("/ho-so/<code>/bien-nhan", endpoint="receipt")
def receipt_page(code):
    """The receipt after submitting: code, QR, documents, expected date, what happens next."""
    dossier, access = _access(code)
    if dossier is None:
        return redirect(url_for("tracking.lookup", code=code))
    if access == STATUS:
        flash(_("Biên nhận có mã tra cứu nên chỉ mở được bằng mã tra cứu in trên biên nhận."))
        return redirect(url_for("tracking.dossier", code=dossier.code))
    documents = receipt.sent_documents(dossier)
    due, confirmed = receipt.expected_date(dossier, documents)
    show_key = access == FULL  # staff print the key only on the desk's slip (inbox printables)
    link = receipt.tracking_url(dossier, with_key=show_key)
    response = current_app.make_response(render_template(
        "tracking/receipt.html", dossier=dossier, documents=documents, due=due, due_confirmed=confirmed,
        complete=receipt.is_complete(documents), show_key=show_key, key=held_key(dossier) if show_key else None,
        qr=receipt.qr_svg(link), lookup_url=receipt.public_url(url_for("tracking.lookup")),
        sms_to=[n.to for n in dossier.notices if n.channel == SMS],
        email_to=[n.to for n in dossier.notices if n.channel == EMAIL],
    ))
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/ho-so/<code>")
@_limit_key_link
@_limit_key_code
def dossier(code):
    """The tracking page; with ?k=<lookup key> (the receipt's QR code) it opens the dossier in full."""
    if "k" in request.args:
        found = services.find_by_code(code)
        if current_user.is_authenticated:  # staff never take the villager's key
            return redirect(url_for("tracking.dossier", code=found.code if found else code[:40]))
        if services.key_matches(found, request.args["k"]):
            key = request.args["k"] if not is_link_token(request.args["k"]) else None
            grant(found, FULL, key=normalise_code(key) or None)
            return redirect(url_for("tracking.dossier", code=found.code))
        form = LookupForm(formdata=None, code=code[:40])
        return _lookup_page(form, str(NOT_FOUND), 404)
    found, access = _access(code)
    if found is None:
        return _lookup_page(LookupForm(formdata=None, code=code[:40]))
    if found.code != code:
        return redirect(url_for("tracking.dossier", code=found.code))
    return render_dossier(found, access)


def render_dossier(dossier, access=FULL, status=200, answer_form=None, rating_form=None, item_errors=None):
    """The tracking page (forms passed in keep what the villager typed after an error)."""
    as_villager = access == FULL
    personal = access in (FULL, STAFF)
    open_request = services.open_supplement_request(dossier)
    if as_villager and open_request is not None and answer_form is None:
        answer_form = SupplementAnswerForm(formdata=None)
    if as_villager and rating_form is None and services.can_rate(dossier):
        rating_form = RatingForm(formdata=None)
    sentence, tone = next_step(dossier, open_request, rated=dossier.rating is not None, personal=personal)
    html = render_template(
        "tracking/dossier.html", dossier=dossier, as_villager=as_villager, access=access, personal=personal,
        steps=timeline(dossier, personal=personal),
        next_sentence=sentence, next_tone=tone, open_request=open_request, answer_form=answer_form,
        item_pages=services.pages_by_item(dossier, open_request) if open_request and as_villager else {},
        item_errors=item_errors or {},
        can_withdraw=as_villager and services.can_withdraw(dossier), rating_form=rating_form,
        can_change_method=as_villager and Status(dossier.status) in METHOD_CHANGEABLE,
        sent=sent_rounds(dossier) if personal else [],
        key_form=KeyForm(formdata=None, code=dossier.code) if access == STATUS else None,
        electronic=electronic_result(dossier),
    )
    response = current_app.make_response((html, status))
    response.headers["Cache-Control"] = "private, no-store"
    return add_vary(response)


@bp.route("/ho-so/<code>/rut", methods=["GET", "POST"])
def withdraw(code):
    """Withdraw the dossier, after a confirmation step."""
    dossier = villager_dossier(code)
    if not services.can_withdraw(dossier):
        flash(_("Hồ sơ đang được xử lý hoặc đã kết thúc nên không thể rút nữa. "
                "Vui lòng liên hệ bộ phận Một cửa."))
        return redirect(url_for("tracking.dossier", code=dossier.code))
    form = WithdrawForm()
    if form.validate_on_submit():
        services.withdraw(dossier, form.reason.data)
        flash(_("Đã rút hồ sơ %(code)s.", code=dossier.display_code))
        return redirect(url_for("tracking.dossier", code=dossier.code))
    return render_template("tracking/withdraw.html", dossier=dossier, form=form), (400 if form.errors else 200)


@bp.route("/ho-so/<code>/danh-gia", methods=["POST"])
def rate(code):
    """Rate the service once the dossier is finished (one rating per dossier)."""
    dossier = villager_dossier(code)
    form = RatingForm()
    if not form.validate_on_submit():
        return render_dossier(dossier, FULL, 400, rating_form=form)
    with refusal_rolls_back(services.TrackingError) as refusal:
        services.rate(dossier, form.score.data, form.comment.data)
    flash(str(refusal.error) if refusal else _("Cảm ơn bạn đã đánh giá!"))
    return redirect(url_for("tracking.dossier", code=dossier.code))


@bp.app_context_processor
def _villager_globals():
    """`villager_signed_in()` in every template: show "Thoát" when this browser holds a credential."""

    return {"villager_signed_in": holds_access}
