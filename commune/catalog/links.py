"""Absolute links to catalog pages (QR codes, Open Graph, the API): on the configured address only."""
from ..web.public_urls import absolute_for


def public_url(endpoint, **values):
    """https://xa.example.vn/thu-tuc/... from COMMUNE_PUBLIC_URL, never from the request's Host header."""
    return absolute_for(endpoint, **values)
