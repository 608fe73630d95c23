"""Absolute URLs (QR codes, e-mails, SMS, Open Graph, the API) from configuration, never the Host header."""
from flask import current_app, url_for


def site_url():
    """COMMUNE_PUBLIC_URL without its trailing '/'; on a loopback-only dev site, http://127.0.0.1:PORT."""
    base = (current_app.config.get("COMMUNE_PUBLIC_URL") or "").strip().rstrip("/")
    return base or f"http://127.0.0.1:{current_app.config.get('COMMUNE_PORT', 5000)}"


def absolute(path):
    """`path` ('/ho-so/...') on the site's configured address."""
    return site_url() + path


def absolute_for(endpoint, **values):
    """url_for(endpoint, ...) on the site's configured address."""
    return absolute(url_for(endpoint, **values))
