"""Catalog pages."""
from flask import render_template

from . import bp
from .queries import fields_with_counts


@bp.route("/")
def home():
    """Home: search first, then the fields with their procedure counts."""
    return render_template("catalog/home.html", fields=fields_with_counts())
