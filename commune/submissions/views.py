"""The submission journey, one step per screen: details, questions, photos, result, check, submit."""
import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..catalog.models import Procedure
from ..core.forms import ButtonForm
from ..core.phone import format_phone
from ..core.settings import get_settings
from ..dossiers.access import DRAFT_COOKIE, FULL, draft_token, grant, owns_by_token
from ..dossiers.states import Status
from ..extensions import db, limiter
from . import bp
from .drafts import (
    STEP_LABELS,
    after_step,
    continue_url,
    current_draft,
    receipt_url,
    set_draft_cookie,
    step_url,
    steps_for,
    with_draft,
)
from .forms import DetailsForm, ResultForm, SubmitForm, build_fields_form, display_value
from .services import (
    already_submitted,
    create_draft,
    details_of,
    draft_files,
    ensure_submit_key,
    fields_of,
    find_by_token,
    key_fits,
    missing_parts,
    postal_allowed,
    question_specs,
    result_of,
    save_details,
    save_fields,
    save_result,
    submit_once,
)


@bp.app_template_filter("phone")
def phone_filter(value):
    """0912345678 -> 0912 345 678 in templates."""
    return format_phone(value)


def _limit(key):
    return lambda: current_app.config[key]


def _online_procedure(slug):
    procedure = db.session.scalar(sa.select(Procedure).where(Procedure.slug == slug))
    if procedure is None or not procedure.online:
        abort(404)
    return procedure


def _page(template, dossier, step, **context):
    """Render a journey step with its progress line and the continue-later link."""
    steps = steps_for(dossier, procedure=context.get("procedure"))
    return render_template(
        template, dossier=dossier, step=step, steps=steps, step_labels=STEP_LABELS,
        step_number=steps.index(step) + 1, continue_url=continue_url() if dossier else None,
        from_check=request.args.get("tu") == "kiem-tra", step_url=step_url, **context)


@bp.route("/thu-tuc/<slug>/nop-ho-so", methods=["GET", "POST"])
@limiter.limit(_limit("COMMUNE_DRAFT_LIMIT"), methods=["POST"])
def start(slug):
    """Step 1: the applicant's details; the first valid answer creates the draft."""
    procedure = _online_procedure(slug)
    dossier = current_draft()
    if dossier is not None and dossier.procedure_id != procedure.id:
        # Another draft in this browser: start a new one, but spare the villager retyping their details.
        previous, dossier = dossier, None
    else:
        previous = dossier
    form = DetailsForm(data=details_of(previous) if previous is not None else None)
    if form.validate_on_submit():
        if form.is_bot():
            abort(400)
        token = None
        if dossier is None:
            dossier, token = create_draft(procedure)
        save_details(dossier, form)
        response = after_step(dossier, "details")
        return set_draft_cookie(response, token) if token else response
    status = 422 if form.errors else 200
    return _page("submissions/details.html", dossier, "details", procedure=procedure, form=form), status


@bp.route("/nop-ho-so/cau-hoi", methods=["GET", "POST"])
@with_draft
def fields(dossier):
    """Step 2: the procedure's own questions (skipped when it has none)."""
    specs = question_specs(dossier)
    if not specs:
        return after_step(dossier, "fields")
    form_class = build_fields_form(specs)
    form = form_class(data=fields_of(dossier))
    if form.validate_on_submit():
        save_fields(dossier, form)
        return after_step(dossier, "fields")
    status = 422 if form.errors else 200
    return _page("submissions/fields.html", dossier, "fields", form=form, specs=specs), status


def photos_page(dossier, part_errors=None, status=200):
    """The photos step with any messages per document part (also used by the upload views)."""
    documents = (dossier.procedure_snapshot or {}).get("documents", [])
    return _page("submissions/photos.html", dossier, "photos", documents=documents,
                 groups=draft_files(dossier), part_errors=part_errors or {},
                 form=ButtonForm(formdata=None)), status


@bp.route("/nop-ho-so/anh-giay-to", methods=["GET", "POST"])
@with_draft
def photos(dossier):
    """Step 3: a photo (or PDF) of each required document, several pages each."""
    if request.method == "POST" and ButtonForm().validate_on_submit():
        missing = {}
        groups = draft_files(dossier)
        for index, doc in enumerate((dossier.procedure_snapshot or {}).get("documents", [])):
            if doc.get("required") and not groups.get(index):
                missing[str(index)] = [_("Chụp hoặc chọn ít nhất một ảnh của giấy tờ này.")]
        if missing:
            return photos_page(dossier, missing, 422)
        return after_step(dossier, "photos")
    return photos_page(dossier)


@bp.route("/nop-ho-so/nhan-ket-qua", methods=["GET", "POST"])
@with_draft
def result(dossier):
    """Step 4: how to get the result (shown only when the procedure allows return by post)."""
    if not postal_allowed(dossier):
        return after_step(dossier, "result")
    form = ResultForm(data=result_of(dossier))
    if form.validate_on_submit():
        save_result(dossier, form)
        return after_step(dossier, "result")
    status = 422 if form.errors else 200
    return _page("submissions/result.html", dossier, "result", form=form,
                 fee_note=get_settings().get("postal_fee_note", "")), status


def _check_page(dossier, form, status=200):
    specs = question_specs(dossier)
    answers = [(spec, display_value(spec, (dossier.form_data or {}).get(spec["name"]))) for spec in specs]
    form.submit_key.data = ensure_submit_key(dossier)
    documents = (dossier.procedure_snapshot or {}).get("documents", [])
    return _page("submissions/check.html", dossier, "check", form=form, answers=answers,
                 documents=documents, groups=draft_files(dossier), missing=missing_parts(dossier)), status


@bp.route("/nop-ho-so/kiem-tra")
@with_draft
def check(dossier):
    """Step 5: every answer and photo on one page, each part with a "change" link."""
    return _check_page(dossier, SubmitForm())


@bp.route("/nop-ho-so/nop", methods=["POST"])
@limiter.limit(_limit("COMMUNE_SUBMIT_LIMIT"))
def submit_dossier():
    """Submit once: a repeated POST (double tap, retry) lands on the same receipt and creates nothing."""
    form = SubmitForm()
    done = already_submitted(form.submit_key.data, draft_token())
    if done is not None:
        return redirect(receipt_url(done.code))
    dossier = current_draft()
    if dossier is None:
        return redirect(url_for("submissions.lost"))
    if not key_fits(form.submit_key.data, dossier):
        abort(400)
    if form.is_bot():
        abort(400)
    if not form.validate_on_submit() or missing_parts(dossier):
        return _check_page(dossier, form, 422)
    dossier = submit_once(dossier)
    # The browser that submitted holds the dossier in full (its receipt shows); the draft cookie
    # and the continue link open nothing from now on.
    grant(dossier, FULL)
    response = redirect(receipt_url(dossier.code))
    response.delete_cookie(DRAFT_COOKIE, path="/")
    return response


@bp.route("/tiep-tuc/<token>")
@limiter.limit(_limit("COMMUNE_DRAFT_LIMIT"))
def resume(token):
    """The continue-later link: put the draft back in this browser and carry on where it stopped."""
    dossier = find_by_token(token)
    if dossier is not None and dossier.status != Status.DRAFT:
        # Submitted: the link opens nothing any more; the look-up (code + phone, or the key) takes over.
        flash(_("Hồ sơ này đã được nộp. Tra cứu bằng mã hồ sơ và số điện thoại, hoặc mã tra cứu "
                "in trên biên nhận."))
        return redirect(url_for("tracking.lookup"))
    if dossier is None or not owns_by_token(dossier, token):
        return render_template("submissions/lost.html", expired=True), 404
    missing = missing_parts(dossier)
    target = step_url(dossier, missing[0][0]) if missing else url_for("submissions.check")
    flash(_("Hồ sơ đang soạn của bạn đã được mở lại. Mọi thông tin và ảnh đã gửi vẫn còn."))
    return set_draft_cookie(redirect(target), token)


@bp.route("/nop-ho-so/khong-tim-thay")
def lost():
    """No draft in this browser: how to get it back."""
    return render_template("submissions/lost.html", expired=False), 404
