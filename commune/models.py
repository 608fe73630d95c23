"""Imports every table so that Alembic and create_all() see the whole schema."""
import importlib

# Every module that defines a table, from the bottom layer up.
MODEL_MODULES = (
    "commune.core.calendar",
    "commune.core.settings",
    "commune.core.audit",
    "commune.files.upload_guard",
    "commune.dossiers.models",
    "commune.dossiers.search",
    "commune.dossiers.official_code",
    "commune.notices.outbox",
    "commune.accounts.models",
    "commune.catalog.models",
    "commune.catalog.referrals",
    "commune.tracking.models",
    "commune.postal.models",
    "commune.inbox.ready_texts",
    "commune.reports.models",
    "commune.payments.models",
    "commune.sync.models",
)


def import_all():
    for name in MODEL_MODULES:
        importlib.import_module(name)
