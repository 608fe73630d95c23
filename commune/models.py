"""Imports every table so that Alembic and create_all() see the whole schema."""
import importlib
import importlib.util

from . import FEATURES

CORE_MODEL_MODULES = ("commune.core.dossier", "commune.core.dossier_search", "commune.core.calendar",
                      "commune.core.settings")


def import_all():
    for name in CORE_MODEL_MODULES:
        importlib.import_module(name)
    for extra in ("commune.core.notices", "commune.core.audit", "commune.core.upload_guard"):
        if importlib.util.find_spec(extra):
            importlib.import_module(extra)
    for feature in FEATURES:
        name = f"commune.{feature}.models"
        if importlib.util.find_spec(name):
            importlib.import_module(name)
