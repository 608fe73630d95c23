"""Inbox fixtures: a procedure, dossiers in a given state, a logged-in staff member."""
import re

import pytest

from commune.extensions import db
from tests.factories import make_dossier, make_procedure


@pytest.fixture
def procedure(app):
    procedure = make_procedure(name="Đăng ký khai sinh thử", processing_days=3,
                               documents=("Tờ khai đăng ký khai sinh", "Giấy chứng sinh"))
    db.session.commit()
    return procedure


@pytest.fixture
def dossier_in(app, procedure):
    """dossier_in('received', **values) -> a committed dossier in that state."""

    def make(status="submitted", **values):
        dossier = make_dossier(procedure, status=status, **values)
        db.session.commit()
        return dossier

    return make


def form_values(html, key):
    """The hidden version/seen values of one action's form on the dossier page."""
    version = re.search(rf'name="{key}-version"[^>]*value="(\d+)"', html) or re.search(
        rf'value="(\d+)"[^>]*name="{key}-version"', html)
    seen = re.search(rf'name="{key}-seen"[^>]*value="(\d*)"', html) or re.search(
        rf'value="(\d*)"[^>]*name="{key}-seen"', html)
    return {f"{key}-version": version.group(1), f"{key}-seen": seen.group(1) if seen else "0"}


def act(client, dossier, key, data=None, version=None, **kwargs):
    """POST one action with the dossier's current version (or the one given)."""
    values = {f"{key}-version": str(dossier.version if version is None else version), f"{key}-seen": "0"}
    values.update({f"{key}-{k}": v for k, v in (data or {}).items()})
    return client.post(f"/hop-thu/ho-so/{dossier.id}/thao-tac/{key}", data=values, **kwargs)
