"""Where and how to connect: the admin's saved settings (commune.core.settings), else the environment's.

Keys: sync_enabled, sync_adapter (dvcqg | lgsp), sync_auth_url, sync_url, sync_username,
sync_secret (never shown back), sync_unit_code. COMMUNE_SYNC_* environment variables give the
same values for a scripted install (the admin's saved value wins where one is saved).

The secret is kept sealed (commune.sync.secret_box: encrypted, bound to the login and service
addresses it was typed for) and is used only with those two addresses: a saved secret with
COMMUNE_SYNC_AUTH_URL / COMMUNE_SYNC_URL's addresses when it comes from the environment. An
address changed anywhere leaves it unused (`secret_state`) until it is typed again.
"""
import os
from dataclasses import dataclass

from flask import current_app

from ..core.audit import audit
from ..core.i18n import N_
from ..core.settings import get_settings, set_setting
from ..extensions import db
from .secret_box import Unreadable, endpoints, open_sealed, seal

DVCQG = "dvcqg"
LGSP = "lgsp"
ADAPTERS = {DVCQG: N_("Cổng Dịch vụ công quốc gia (DVCQG: phiên làm việc + dịch vụ DongBoHoSoMC)"),
            LGSP: N_("Trục LGSP của tỉnh (token + /Document/SyncDocument)")}

SETTING_KEYS = ("sync_enabled", "sync_adapter", "sync_auth_url", "sync_url", "sync_username",
                "sync_secret", "sync_unit_code")
SECRET = "sync_secret"
PLAIN_KEYS = tuple(key for key in SETTING_KEYS if key != SECRET)

# What became of the secret (Connection.secret_state, SavedSecret.state).
NO_SECRET = "none"              # none typed, none in the environment
SECRET_OK = "ok"                # usable with the addresses in use
SECRET_UNREADABLE = "unreadable"  # cannot be opened (SECRET_KEY changed, or a clear value left in the table)
SECRET_ELSEWHERE = "elsewhere"  # typed for other addresses than the ones in use
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
    secret: str  # "" unless the saved secret was typed for exactly these addresses
    unit_code: str
    timeout: float
    secret_state: str = SECRET_OK

    @property
    def configured(self):
        """Both addresses set and a secret usable with them (else nothing is sent: records wait)."""
        return bool(self.url and self.auth_url and self.secret and self.secret_state == SECRET_OK)


@dataclass(frozen=True)
class SavedSecret:
    state: str  # NO_SECRET | SECRET_OK | SECRET_UNREADABLE
    secret: str = ""
    bound_to: tuple = ("", "")  # (auth_url, url) it may be sent to

    def for_endpoints(self, auth_url, url):
        """The secret if it was typed for exactly these addresses, else ""."""
        if self.state == SECRET_OK and self.bound_to == endpoints(auth_url, url):
            return self.secret
        return ""

    def state_for(self, auth_url, url):
        if self.state == SECRET_OK and not self.for_endpoints(auth_url, url):
            return SECRET_ELSEWHERE
        return self.state


def _truthy(value):
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def _env_value(key):
    env = ENV_KEYS[key]
    return current_app.config.get(env, os.environ.get(env))


def _saved():
    with db.session.no_autoflush:
        return get_settings()


def saved_values():
    """The sync settings as saved (environment defaults under them), the secret left out (saved_secret())."""
    values = {key: _env_value(key) for key in PLAIN_KEYS}
    saved = _saved()
    for key in PLAIN_KEYS:
        if saved.get(key) not in (None, ""):
            values[key] = saved[key]
    return values


def saved_secret():
    """The secret the admin saved (sealed), else COMMUNE_SYNC_SECRET bound to the environment's addresses."""
    stored = _saved().get(SECRET)
    if stored:
        try:
            sealed = open_sealed(stored, current_app.config.get("SECRET_KEY"))
        except Unreadable:
            return SavedSecret(SECRET_UNREADABLE)
        return SavedSecret(SECRET_OK, sealed.secret, sealed.endpoints)
    secret = _env_value(SECRET)
    if secret:
        return SavedSecret(SECRET_OK, str(secret), endpoints(_env_value("sync_auth_url"), _env_value("sync_url")))
    return SavedSecret(NO_SECRET)


def _timeout():
    return float(current_app.config.get("COMMUNE_SYNC_TIMEOUT") or os.environ.get("COMMUNE_SYNC_TIMEOUT") or TIMEOUT)


def connection_for(values, secret, secret_state=SECRET_OK):
    """A Connection from setting values (saved, or typed on the admin's page) and the secret to use."""
    adapter = (values.get("sync_adapter") or DVCQG).strip().lower()
    return Connection(
        enabled=_truthy(values.get("sync_enabled") or ""),
        adapter=adapter if adapter in ADAPTERS else DVCQG,
        auth_url=(values.get("sync_auth_url") or "").strip(),
        url=(values.get("sync_url") or "").strip(),
        username=(values.get("sync_username") or "").strip(),
        secret=secret or "",
        unit_code=(values.get("sync_unit_code") or "").strip(),
        timeout=_timeout(),
        secret_state=secret_state,
    )


def connection():
    """The connection in use now: the saved secret only if it was typed for the saved addresses."""
    values = saved_values()
    saved = saved_secret()
    auth_url, url = values.get("sync_auth_url"), values.get("sync_url")
    return connection_for(values, saved.for_endpoints(auth_url, url), saved.state_for(auth_url, url))


def save(actor, values, clear_secret=False):
    """Save what changed; a typed secret sealed with the addresses saved beside it, never audited in clear.

    A secret left blank keeps the saved one, still bound to the addresses it was typed for: it is
    not used with any other (the admin's page asks for it again before an address changes)."""
    current = saved_values()
    changes = {}
    for key in PLAIN_KEYS:
        if key not in values:
            continue
        value = "" if values.get(key) is None else str(values.get(key)).strip()
        if value != str(current.get(key) or ""):
            set_setting(key, value)
            changes[key] = {"before": str(current.get(key) or ""), "after": value}
    typed = "" if values.get(SECRET) is None else str(values.get(SECRET)).strip()
    if clear_secret:
        if _saved().get(SECRET):
            set_setting(SECRET, "")
            changes[SECRET] = "cleared"
    elif typed:
        after = saved_values()  # the addresses in use once this save is flushed (blank: the environment's)
        bound_to = endpoints(after.get("sync_auth_url"), after.get("sync_url"))
        before = saved_secret()
        set_setting(SECRET, seal(typed, bound_to, current_app.config.get("SECRET_KEY")))
        if before.state != SECRET_OK or before.secret != typed or before.bound_to != bound_to:
            changes[SECRET] = "changed"
    if changes:
        audit(actor, "sync.settings", "sync", changes)
    return changes
