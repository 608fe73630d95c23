"""Configuration: defaults, then COMMUNE_* environment variables, then a test override."""
import os
import secrets
from pathlib import Path

# The daily cut-off when neither COMMUNE_CUTOFF nor the admin sets one: the legal convention of the
# procedure texts (same-day procedures received after 15 giờ are returned the next working day).
DEFAULT_CUTOFF = "15:00"


def _env(name, default=None):
    return os.environ.get(f"COMMUNE_{name}", default)


def _int_env(name, default):
    value = _env(name)
    return int(value) if value not in (None, "") else default


def load_secret_key(instance_path):
    """Return COMMUNE_SECRET_KEY, or a key generated once and kept in the instance folder (0600)."""
    key = _env("SECRET_KEY")
    if key:
        return key
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def build_config(instance_path):
    """Settings read from the environment; every key is documented in README.md."""
    data_dir = _env("DATA_DIR") or os.path.join(instance_path, "data")
    database_url = _env("DATABASE_URL") or f"sqlite:///{os.path.join(instance_path, 'commune.db')}"
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_TRACK_MODIFICATIONS": False,
        "COMMUNE_DATA_DIR": data_dir,
        "COMMUNE_HOST": _env("HOST", "127.0.0.1"),
        "COMMUNE_PORT": _int_env("PORT", 5000),
        "COMMUNE_THREADS": _int_env("THREADS", 8),
        "COMMUNE_PAGE_CACHE_BYTES": _int_env("PAGE_CACHE_BYTES", 8 * 1024 * 1024),  # web/page_cache.py
        "COMMUNE_PAGES_RECHECK_SECONDS": float(_env("PAGES_RECHECK_SECONDS", "1")),  # web/generation.py
        # Uploads: one request carries one photo (or the no-JS form, a few).
        "MAX_CONTENT_LENGTH": _int_env("MAX_REQUEST_MB", 25) * 1024 * 1024,
        "COMMUNE_DRAFT_DAYS": _int_env("DRAFT_DAYS", 30),
        "COMMUNE_RETENTION_YEARS": _int_env("RETENTION_YEARS", 20),  # finished dossiers (see core/retention.py)
        "COMMUNE_MAX_FILES": _int_env("MAX_FILES", 60),  # pages per dossier per round
        "COMMUNE_MAX_DRAFT_MB": _int_env("MAX_DRAFT_MB", 80),  # stored bytes per dossier per round
        "COMMUNE_BLANK_FORM_MB": _int_env("BLANK_FORM_MB", 10),
        # Uploads and the machine (docs/security.md): decoding memory per file, decodes at once,
        # seconds an upload waits for a slot, stored MB per address per day, free-disk floor.
        "COMMUNE_DECODE_MB": _int_env("DECODE_MB", 256),
        "COMMUNE_DECODE_SLOTS": _int_env("DECODE_SLOTS", 2),
        # PostgreSQL: memory for one sort or bitmap of a connection (the inbox's full-text search
        # keeps its bitmaps exact with it); "" leaves the server's own setting.
        "COMMUNE_PG_WORK_MEM": os.environ.get("COMMUNE_PG_WORK_MEM", "16MB"),
        "COMMUNE_DECODE_WAIT": _int_env("DECODE_WAIT", 5),
        "COMMUNE_UPLOAD_DAILY_MB": _int_env("UPLOAD_DAILY_MB", 500),
        "COMMUNE_MIN_FREE_MB": _int_env("MIN_FREE_MB", 1024),
        # Resumable (tus) uploads: largest declared file, hours a partial upload is kept after its last
        # byte, MB all partial uploads may hold (unset: a quarter of MIN_FREE_MB), unfinished uploads
        # per address (docs/submissions.md).
        "COMMUNE_RESUMABLE_MAX_MB": _int_env("RESUMABLE_MAX_MB", 30),
        "COMMUNE_RESUMABLE_HOURS": _int_env("RESUMABLE_HOURS", 3),
        "COMMUNE_RESUMABLE_TOTAL_MB": _int_env("RESUMABLE_TOTAL_MB", None),
        "COMMUNE_RESUMABLE_OPEN_PER_ADDRESS": _int_env("RESUMABLE_OPEN_PER_ADDRESS", 20),
        "COMMUNE_RESUMABLE_LIMIT": _env("RESUMABLE_LIMIT", "1200 per hour"),  # tus requests per address
        # Waitress (flask serve): open connections at most, seconds before an idle one is closed.
        "COMMUNE_CONNECTION_LIMIT": _int_env("CONNECTION_LIMIT", 1000),
        "COMMUNE_CHANNEL_TIMEOUT": _int_env("CHANNEL_TIMEOUT", 30),
        "COMMUNE_MAX_DELIVERY_ATTEMPTS": _int_env("MAX_DELIVERY_ATTEMPTS", 3),
        "COMMUNE_CUTOFF": _env("CUTOFF", DEFAULT_CUTOFF),
        "COMMUNE_TIMEZONE": "Asia/Ho_Chi_Minh",
        "RATELIMIT_STORAGE_URI": _env("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        # failed look-ups per address; per code, from all addresses (docs/security.md, the arithmetic)
        "COMMUNE_LOOKUP_LIMIT": _env("LOOKUP_LIMIT", "10 per minute;100 per day"),
        "COMMUNE_LOOKUP_CODE_LIMIT": _env("LOOKUP_CODE_LIMIT", "300 per day"),
        "COMMUNE_VILLAGER_IDLE_MINUTES": _int_env("VILLAGER_IDLE_MINUTES", 30),  # villager access idle end
        "COMMUNE_LOGIN_LIMIT": _env("LOGIN_LIMIT", "10 per minute"),
        # Staff sessions end after this long without use, and this long after login (accounts/session_life.py).
        "COMMUNE_STAFF_IDLE_MINUTES": _int_env("STAFF_IDLE_MINUTES", 30),
        "COMMUNE_STAFF_SESSION_HOURS": _int_env("STAFF_SESSION_HOURS", 12),
        # Werkzeug's method for new password hashes: scrypt at its own cost (n 2^15, r 8, p 1). Only
        # the test suite lowers it (tests/conftest.py), to spend its minutes on behaviour.
        "COMMUNE_PASSWORD_HASH": _env("PASSWORD_HASH", "scrypt"),
        "COMMUNE_UPLOAD_LIMIT": _env("UPLOAD_LIMIT", "120 per hour"),
        "COMMUNE_DRAFT_LIMIT": _env("DRAFT_LIMIT", "30 per hour"),
        "COMMUNE_SUBMIT_LIMIT": _env("SUBMIT_LIMIT", "20 per hour"),
        "SMTP_HOST": _env("SMTP_HOST"),
        "SMTP_PORT": _int_env("SMTP_PORT", 25),
        "SMTP_USER": _env("SMTP_USER"),
        "SMTP_PASSWORD": _env("SMTP_PASSWORD"),
        "SMTP_FROM": _env("SMTP_FROM", "mot-cua@localhost"),
        "SMS_URL": _env("SMS_URL"),
        "SMS_AUTH": _env("SMS_AUTH"),
        "SMS_BODY": _env("SMS_BODY", '{"to": "{phone}", "text": "{text}"}'),
        "SMTP_SECURITY": _env("SMTP_SECURITY", "starttls"),  # starttls | ssl | none (docs/notices.md)
        "COMMUNE_SMS_UNICODE": _env("SMS_UNICODE", "0") == "1",
        "COMMUNE_SMS_MAX_CHARS": _int_env("SMS_MAX_CHARS", 160),
        "COMMUNE_SEND_NOTICES": _env("SEND_NOTICES", "1") == "1",
        "COMMUNE_PUBLIC_URL": _env("PUBLIC_URL", ""),
        # Reverse proxies whose X-Forwarded-For is believed (addresses or networks); empty: none.
        "COMMUNE_TRUSTED_PROXIES": _env("TRUSTED_PROXIES", ""),
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).resolve().parent.parent / "translations"),
        "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _env("SECURE_COOKIES", "0") == "1",
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "COMPRESS_MIMETYPES": [
            "text/html", "text/css", "text/javascript", "application/javascript",
            "application/json", "image/svg+xml", "text/csv",
        ],
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        "COMPRESS_ALGORITHM_STREAMING": ["br", "gzip"],
        "COMPRESS_MIN_SIZE": 300,
        "SEND_FILE_MAX_AGE_DEFAULT": 0,
    }
