"""Catalog pages: home, search, a field, a procedure, a blank form download."""
from flask import abort, make_response, redirect, render_template, request, url_for

from ..web.htmx import add_vary, is_htmx, render_page_or_fragment
from . import bp, display
from .caching import conditional
from .files import blank_form_response
from .links import public_url
from .queries import active_field, fields_with_counts, popular_procedures, procedure_or_404, procedures_in
from .referrals import refer
from .search import search as run_search


@bp.route("/")
@conditional()
def home():
    """Home: search first, then the fields with their procedure counts, then the most used procedures."""
    return render_template("catalog/home.html", fields=fields_with_counts(), popular=popular_procedures(),
                           query="", result=None)


@bp.route("/tim-kiem")
@conditional()
def search():
    """Search results: a full page for a plain GET form (shareable URL), the results alone for htmx."""
    query = request.args.get("q", "").strip()
    if not query and not is_htmx():
        return redirect(url_for("catalog.home"))

    result = run_search(query) if query else None
    referrals = refer(query, result) if query else []  # needs another office handles
    html = render_page_or_fragment("catalog/search.html", "catalog/_results.html", query=query,
                                   result=result, referrals=referrals,
                                   fields=fields_with_counts() if not result else [])
    return add_vary(make_response(html))


@bp.route("/linh-vuc/<code>")
@conditional()
def field(code):
    """One field (lĩnh vực) and its procedures."""
    found = active_field(code)
    if found is None:
        abort(404)
    return render_template("catalog/field.html", field=found, procedures=procedures_in(found))


@bp.route("/thu-tuc/<slug>")
@conditional()
def procedure(slug):
    """Everything about one procedure: what to bring, time, fee, where, online, blank forms."""
    return render_template("catalog/procedure.html", procedure=procedure_or_404(slug))


@bp.route("/thu-tuc/<slug>/mau/<int:form_id>")
def blank_form(slug, form_id):
    """Download a blank form the admin attached to the procedure."""
    procedure = procedure_or_404(slug)
    form = next((f for f in procedure.blank_forms if f.id == form_id), None)
    if form is None:
        abort(404)
    return blank_form_response(form)


bp.add_app_template_global(public_url, "public_url")
bp.record_once(display.init_app)
