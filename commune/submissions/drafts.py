"""The villager's draft in this browser: the cookie, the step list, where to go next."""
from functools import wraps

from flask import current_app, redirect, request, url_for

from ..dossiers.access import DRAFT_COOKIE, draft_token
from ..dossiers.questions import usable_fields
from ..dossiers.retention import draft_days
from ..web.public_urls import absolute_for
from .services import live_draft, postal_allowed, question_specs

STEP_LABELS = {
    "details": "Thông tin người nộp",
    "fields": "Thông tin cho thủ tục",
    "photos": "Ảnh giấy tờ",
    "result": "Cách nhận kết quả",
    "check": "Kiểm tra và nộp",
}
BACK_TO_CHECK = "kiem-tra"


def steps_for(dossier=None, procedure=None):
    """The journey's steps for this draft (questions and delivery only when the procedure has them)."""
    if dossier is not None:
        has_fields, postal = bool(question_specs(dossier)), postal_allowed(dossier)
    else:

        has_fields, postal = bool(usable_fields(procedure.form_fields)), bool(procedure.postal_return_allowed)
    steps = ["details"]
    if has_fields:
        steps.append("fields")
    steps.append("photos")
    if postal:
        steps.append("result")
    steps.append("check")
    return steps


def step_url(dossier, step, **args):
    if step == "details":
        return url_for("submissions.start", slug=dossier.procedure.slug, **args)
    return url_for({"fields": "submissions.fields", "photos": "submissions.photos",
                    "result": "submissions.result", "check": "submissions.check"}[step], **args)


def after_step(dossier, step):
    """Redirect to the next step, or back to the check page when the villager came from there."""
    if request.args.get("tu") == BACK_TO_CHECK:
        return redirect(url_for("submissions.check"))
    order = list(STEP_LABELS)
    following = next((s for s in steps_for(dossier) if order.index(s) > order.index(step)), "check")
    return redirect(step_url(dossier, following))


def current_draft():
    """The unexpired draft whose token this browser holds, or None."""
    return live_draft(draft_token())


def with_draft(view):
    """Pass the browser's draft to the view; without one, explain how to get it back."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        dossier = current_draft()
        if dossier is None:
            return redirect(url_for("submissions.lost"))
        return view(dossier, *args, **kwargs)
    return wrapper


def set_draft_cookie(response, token):
    """Keep the draft token in this browser for as long as the draft lives."""
    days = draft_days()
    response.set_cookie(
        DRAFT_COOKIE, token, max_age=max(days, 30) * 86400, httponly=True, samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")), path="/",
    )
    return response


def continue_url():
    """The "continue later" link for the draft in this browser."""
    token = draft_token()

    return absolute_for("submissions.resume", token=token) if token else None


def receipt_url(code):
    """Where a submitted dossier's receipt lives (the tracking feature's page)."""
    return url_for("tracking.receipt", code=code)
