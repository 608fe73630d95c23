"""Where and how to connect: the admin's saved settings (commune.core.settings), else the environment's.

Keys: sync_enabled, sync_adapter (dvcqg | lgsp), sync_auth_url, sync_url, sync_username,
sync_secret (never shown back), sync_unit_code. COMMUNE_SYNC_* environment variables give the
same values for a scripted install (the admin's saved value wins where one is saved).
"""
import os
from dataclasses import dataclass

from flask import current_app

from ..core.audit import audit
from ..core.i18n import N_
from ..core.settings import get_settings, set_setting
from ..extensions import db

DVCQG = "dvcqg"
LGSP = "lgsp"
ADAPTERS = {DVCQG: N_("Cổng Dịch vụ công quốc gia (DVCQG: phiên làm việc + dịch vụ DongBoHoSoMC)"),
            LGSP: N_("Trục LGSP của tỉnh (token + /Document/SyncDocument)")}

SETTING_KEYS = ("sync_enabled", "sync_adapter", "sync_auth_url", "sync_url", "sync_username",
                "sync_secret", "sync_unit_code")
SECRET = "sync_secret"
ENV_KEYS = {"sync_enabled": "COMMUNE_SYNC_ENABLED", "sync_adapter": "COMMUNE_SYNC_ADAPTER",
            "sync_auth_url": "COMMUNE_SYNC_AUTH_URL", "sync_url": "COMMUNE_SYNC_URL",
            "sync_username": "COMMUNE_SYNC_USERNAME", "sync_secret": "COMMUNE_SYNC_SECRET",
            "sync_unit_code": "COMMUNE_SYNC_UNIT_CODE"}
TIMEOUT = 20  # seconds per call, unless COMMUNE_SYNC_TIMEOUT says otherwise


@dataclass(frozen=True)
class Connection:
    enabled: bool
    adapter: str
    auth_url: str
    url: str
    username: str
    secret: str
    unit_code: str
    timeout: float

    @property
    def configured(self):
        return bool(self.url and self.auth_url)


def _truthy(value):
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def saved_values():
    """The sync settings as saved (environment defaults under them), the secret included."""
    config = current_app.config
    values = {key: config.get(env, os.environ.get(env)) for key, env in ENV_KEYS.items()}
    with db.session.no_autoflush:
        saved = get_settings()
    for key in SETTING_KEYS:
        if saved.get(key) not in (None, ""):
            values[key] = saved[key]
    return values


def connection():
    """The connection in use now."""
    values = saved_values()
    adapter = (values.get("sync_adapter") or DVCQG).strip().lower()
    return Connection(
        enabled=_truthy(values.get("sync_enabled") or ""),
        adapter=adapter if adapter in ADAPTERS else DVCQG,
        auth_url=(values.get("sync_auth_url") or "").strip(),
        url=(values.get("sync_url") or "").strip(),
        username=(values.get("sync_username") or "").strip(),
        secret=values.get("sync_secret") or "",
        unit_code=(values.get("sync_unit_code") or "").strip(),
        timeout=float(current_app.config.get("COMMUNE_SYNC_TIMEOUT") or os.environ.get("COMMUNE_SYNC_TIMEOUT")
                      or TIMEOUT),
    )


def save(actor, values, clear_secret=False):
    """Save what changed; the secret only when a new one is typed (or cleared), never audited in clear."""
    current = saved_values()
    changes = {}
    for key in SETTING_KEYS:
        if key not in values and not (key == SECRET and clear_secret):
            continue
        value = "" if values.get(key) is None else str(values.get(key)).strip()
        if key == SECRET:
            if clear_secret:
                value = ""
            elif not value:
                continue  # left blank: keep the saved one
            if value != (current.get(key) or ""):
                set_setting(key, value)
                changes[key] = "changed"
            continue
        if value != str(current.get(key) or ""):
            set_setting(key, value)
            changes[key] = {"before": str(current.get(key) or ""), "after": value}
    if changes:
        audit(actor, "sync.settings", "sync", changes)
    return changes
