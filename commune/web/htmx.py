"""The one place that reads HX-* headers and picks a full page or a fragment."""
from flask import render_template, request


def is_htmx():
    """A real htmx request that wants a fragment (not boosted navigation or a history restore)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-Boosted") != "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def render_page_or_fragment(page, fragment, **context):
    """Render `fragment` for htmx, else the full `page` (which includes the fragment)."""
    html = render_template(fragment if is_htmx() else page, **context)
    return html


def add_vary(response):
    """Responses may differ by HX-Request: tell caches."""
    response.vary.add("HX-Request")
    return response
