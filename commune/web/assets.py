"""Static files with content fingerprints (cached a year) and one CSS bundle.

Each feature keeps its styles in static/css/<feature>.css; they are served as a
single file so a cold visit costs one stylesheet request.
"""
import hashlib
from pathlib import Path

from flask import Response, current_app, request, url_for

from ..core.kept import app_store, memo

YEAR = 31536000


@memo(maxsize=256)
def _digest(path, mtime):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def _memo(name, compute):
    """compute() once per process, or on every call in debug mode (files edited while it runs)."""
    if current_app.debug:
        return compute()
    kept = app_store("assets")
    if name not in kept:
        kept[name] = compute()
    return kept[name]


def static_url(filename):
    """URL of a file under static/ with ?v=<content hash>, so it can be cached for a year."""
    return _memo(("url", filename), lambda: _versioned_url(filename))


def _versioned_url(filename):
    path = Path(current_app.static_folder) / filename
    try:
        version = _digest(str(path), path.stat().st_mtime)
    except OSError:
        version = "0"
    return url_for("static", filename=filename, v=version)


def _css_files():
    folder = Path(current_app.static_folder) / "css"
    return sorted(folder.glob("*.css"), key=lambda p: (p.name != "base.css", p.name))


def css_bundle():
    """The concatenated stylesheet and its hash."""
    return _memo("css", _current_bundle)


def _current_bundle():
    files = _css_files()
    key = tuple((str(p), p.stat().st_mtime) for p in files)
    return _bundle(key)


@memo(maxsize=8)
def _bundle(key):
    body = "\n".join(Path(path).read_text(encoding="utf-8") for path, _ in key)
    return body, hashlib.sha256(body.encode()).hexdigest()[:12]


def css_url():
    """URL of the stylesheet bundle, fingerprinted."""
    return url_for("assets_css", version=css_bundle()[1])


def cache_for_a_year(response):
    """A fingerprinted file never changes under its URL."""
    response.cache_control.public = True
    response.cache_control.max_age = YEAR
    response.cache_control.immutable = True


def serve_css(version):
    """Serve the bundle; a stale fingerprint still gets the current bundle, but uncached."""
    body, current = css_bundle()
    response = Response(body, mimetype="text/css")
    if version == current:
        cache_for_a_year(response)
    else:
        response.cache_control.no_cache = True
    return response


def init_app(app):
    app.add_url_rule("/assets/app.<version>.css", "assets_css", serve_css)
    app.jinja_env.globals.update(static_url=static_url, css_url=css_url)

    @app.after_request
    def _cache_static(response):
        if request.endpoint == "static":
            if request.args.get("v") and response.status_code == 200:
                cache_for_a_year(response)
            else:
                response.cache_control.no_cache = True
        return response
