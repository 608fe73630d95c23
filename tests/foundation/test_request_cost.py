"""web/request_cost.py leans on Flask's and Flask-Limiter's workings to keep each request cheap.
Each thing it leans on is checked here on the installed versions (pinned in requirements.txt), with
the behaviour it must keep: an upgrade that moves them fails here, not on the site."""
import inspect
import sys
from pathlib import Path

import flask_limiter
from flask import Flask, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

from commune.extensions import db
from commune.web.request_cost import KeptSerializerSessions, LeanFlask, limiter_hook
from tests.conftest import make_app

LIMITER_CODE = str(Path(flask_limiter.__file__).parent)


def _parameters(function):
    return list(inspect.signature(function).parameters)


def test_flask_still_asks_ensure_sync_for_each_hook_and_view_and_lean_flask_keeps_the_answer(app, client):
    assert isinstance(app, LeanFlask)
    assert _parameters(Flask.ensure_sync) == ["self", "func"]  # the method Flask's docs say to override
    assert client.get("/robots.txt").status_code == 200
    kept = app.kept_sync
    assert app.view_functions["robots"] in kept and all(hook in kept for hook in app.before_request_funcs[None])
    size = len(kept)
    assert client.get("/robots.txt").status_code == 200 and len(kept) == size  # asked again, answered from memory

    async def coroutine():
        return "async"

    try:
        wrapped = app.ensure_sync(coroutine)
    except RuntimeError:  # asgiref not installed: Flask refuses async views, as it does without LeanFlask
        wrapped = None
    assert wrapped is not coroutine


def test_the_session_interface_overrides_flasks_public_methods_and_sessions_round_trip(app, client):
    assert _parameters(SecureCookieSessionInterface.get_signing_serializer) == ["self", "app"]
    assert _parameters(SecureCookieSessionInterface.save_session) == ["self", "app", "session", "response"]
    fresh = SecureCookieSession()
    assert (fresh.accessed, fresh.modified) == (False, False)
    assert isinstance(app.session_interface, KeptSerializerSessions)

    @app.route("/_test/session/put")
    def _put():
        session["visits"] = session.get("visits", 0) + 1
        return "ok"

    @app.route("/_test/session/read")
    def _read():
        return str(session.get("visits", "none"))

    read = client.get("/_test/session/read")  # an empty session, only read: no cookie, but it varies
    assert read.text == "none" and "Set-Cookie" not in read.headers and "Cookie" in read.headers["Vary"]
    assert "Set-Cookie" not in client.get("/robots.txt").headers
    put = client.get("/_test/session/put")
    assert "session=" in put.headers["Set-Cookie"] and "Cookie" in put.headers["Vary"]
    client.get("/_test/session/put")
    assert client.get("/_test/session/read").text == "2"  # written, signed, read back

    sessions = app.session_interface
    kept = sessions.get_signing_serializer(app)
    assert sessions.get_signing_serializer(app) is kept  # one per secret key
    plain = SecureCookieSessionInterface().get_signing_serializer(app)
    assert plain.loads(kept.dumps({"a": 1})) == {"a": 1} == kept.loads(plain.dumps({"a": 1}))
    old_cookie = kept.dumps({"visits": 7})
    app.config.update(SECRET_KEY="a-new-key", SECRET_KEY_FALLBACKS=[app.secret_key])
    assert sessions.get_signing_serializer(app) is not kept  # a new key: a new serializer
    client.set_cookie("session", old_cookie)
    assert client.get("/_test/session/read").text == "7"  # a cookie signed with the previous key still opens


def test_the_limiters_hooks_are_found_in_flasks_hook_lists_and_wrapped(app):
    registries = (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs)
    for registry in registries:
        assert isinstance(registry, dict) and all(isinstance(hooks, list) for hooks in registry.values())
        hooks = registry.get(None, [])
        wrapped = [hook for hook in hooks if limiter_hook(getattr(hook, "__wrapped__", None))]
        # Flask-Limiter registers one hook in each list, as a bound method or a partial over itself;
        # if it registers them otherwise, nothing is wrapped and this fails.
        assert len(wrapped) == 1, (registry, hooks)
        assert not any(limiter_hook(hook) for hook in hooks)  # none left unwrapped


def _limiter_calls(client, url, **kwargs):
    """The Flask-Limiter functions that ran while `client` fetched `url`."""
    called = []

    def profile(frame, event, _arg):
        if event == "call" and frame.f_code.co_filename.startswith(LIMITER_CODE):
            called.append(frame.f_code.co_name)

    sys.setprofile(profile)
    try:
        response = client.open(url, **kwargs)
    finally:
        sys.setprofile(None)
    return response, called


def test_exempt_routes_pay_nothing_to_the_limiter_and_limited_routes_still_refuse(tmp_path):
    app = make_app(tmp_path, COMMUNE_LOOKUP_LIMIT="2 per minute")
    try:
        with app.app_context():
            client = app.test_client()
            for url in ("/robots.txt", "/healthz", "/"):
                response, called = _limiter_calls(client, url)
                assert response.status_code == 200 and called == [], (url, called)
                assert "X-RateLimit-Limit" not in response.headers
            lookup = {"code": "QQQQQQQQQQ", "secret": "0912345678"}
            response, called = _limiter_calls(client, "/tra-cuu", method="POST", data=lookup)
            assert response.status_code == 404 and called  # the limiter counted this one
            assert response.headers["X-RateLimit-Limit"] == "2"
            assert client.post("/tra-cuu", data=lookup).status_code == 404
            assert client.post("/tra-cuu", data=lookup).status_code == 429
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
