"""What offices print and pin up: the one-page guide, QR codes, the poster of the most used."""
import io

from flask import make_response, render_template, request
from markupsafe import Markup

from ..core.qr import make_qr
from . import bp
from .caching import conditional
from .links import public_url
from .queries import popular_procedures, procedure_or_404


def qr_for(procedure):
    """The QR code of a procedure's page."""
    return make_qr(public_url("catalog.procedure", slug=procedure.slug))


def inline_qr(procedure, scale=4):
    """The QR code as inline SVG that scales with CSS (viewBox, no fixed size)."""
    svg = qr_for(procedure).svg_inline(scale=scale, border=2, omitsize=True, svgclass="qr",
                                       title=procedure.name)
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))



@bp.route("/thu-tuc/<slug>/huong-dan-in")
@conditional()
def guide(slug):
    """A one-page printable guide (A4, or A5 with ?kho=a5): steps, papers, fee, time, QR code."""
    procedure = procedure_or_404(slug)
    paper = "a5" if request.args.get("kho") == "a5" else "a4"
    return render_template("catalog/guide.html", procedure=procedure, paper=paper, qr=inline_qr(procedure),
                           page_url=public_url("catalog.procedure", slug=procedure.slug))


@bp.route("/thu-tuc/<slug>/qr.svg")
@conditional()
def qr(slug):
    """The QR code of the procedure's page, as SVG (for printing, stickers, the poster)."""
    procedure = procedure_or_404(slug)
    buffer = io.BytesIO()
    qr_for(procedure).save(buffer, kind="svg", scale=8, border=2, title=procedure.name, xmldecl=True)
    response = make_response(buffer.getvalue())
    response.mimetype = "image/svg+xml"
    return response


@bp.route("/ap-phich")
@conditional()
def poster():
    """A printable poster for the desk: QR codes of the most used procedures."""
    procedures = popular_procedures(limit=12)
    return render_template("catalog/poster.html", items=[(p, inline_qr(p, scale=3)) for p in procedures])
