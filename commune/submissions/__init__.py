"""The submissions feature: a villager submits a dossier from a phone, with photos, no account."""
from flask import Blueprint

# `flask --app app drafts purge` comes from this blueprint's CLI group.
bp = Blueprint("submissions", __name__, cli_group="drafts")

from . import cli, doc_names, files, uploads, views  # noqa: E402,F401
