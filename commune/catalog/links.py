"""Absolute links to catalog pages (QR codes, Open Graph, the API): COMMUNE_PUBLIC_URL when set."""
from flask import current_app, url_for


def public_url(endpoint, **values):
    """https://xa.example.vn/thu-tuc/... behind a proxy; the request's own host otherwise."""
    base = current_app.config.get("COMMUNE_PUBLIC_URL", "").rstrip("/")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)
