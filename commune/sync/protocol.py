"""The protocol as data: commune/sync/data/dvcqg.json (services, answers, status codes, field sets).

COMMUNE_SYNC_PROTOCOL may name another file of the same shape: a province's variant.
"""
import json
from pathlib import Path

from flask import current_app

from ..core.kept import memo

DATA = Path(__file__).parent / "data"
DEFAULT_FILE = DATA / "dvcqg.json"
SCHEMA_FILE = DATA / "dossier.schema.json"


@memo(maxsize=4)
def _read(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def protocol():
    """The protocol in use (the configured file, else the default)."""
    path = current_app.config.get("COMMUNE_SYNC_PROTOCOL") or DEFAULT_FILE
    return _read(str(path))


def schema():
    """The JSON Schema of the dossier payload (and, under $defs/history, of one history row)."""
    return _read(str(SCHEMA_FILE))


def status_code(status):
    """Our Status value as the remote's 1..10 code (a string, as the public integrations send it)."""
    code = protocol()["status_codes"].get(str(status))
    return "" if code is None else str(code)
