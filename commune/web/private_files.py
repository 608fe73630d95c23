"""The response for a private file (a villager's page, a delivery proof): never cached, never run."""
from flask import Response


def private_file(data, mime, etag, download_name=None):
    """`data` as `mime`: no-store (an ID-card photo must not stay in a shared computer's cache),
    nosniff, a sandboxing CSP; downloaded as `download_name` when given."""
    response = Response(data, mimetype=mime)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response.headers["Vary"] = "Cookie"
    response.set_etag(etag)
    if download_name:
        response.headers.set("Content-Disposition", "attachment", filename=download_name)
    return response
