"""What every request pays before and after its view, kept small (issue #18, BENCHMARKS.md).

A kept catalog page or `/robots.txt` does almost nothing itself, so the fixed cost around it
is what decides how many a cheap machine serves. Three of Flask's and its extensions' habits
cost more than the page:
- `Flask.ensure_sync` asks `inspect` whether each hook is a coroutine, about fifteen times a
  request: the answer for one function never changes, so it is kept;
- the session interface builds a new signing serializer (itsdangerous) twice a request, even
  for a visitor without a cookie: one per secret key is kept, and an empty session nobody
  changed skips the cookie settings it would not use;
- Flask-Limiter computes its limits before it reads its own request filters: on the routes the
  filters exempt (the catalog's reads, static files, health, robots) its three hooks return at
  once.
"""
import functools

from flask import request
from flask.sessions import SecureCookieSessionInterface

MAX_KEPT = 4096  # hooks and views are a few hundred; a bound in case something makes them anew


def _keep_sync_wrappers(app):
    plain = app.ensure_sync
    kept = {}

    def ensure_sync(func):
        try:
            return kept[func]
        except KeyError:
            pass
        except TypeError:  # not hashable: nothing to keep
            return plain(func)
        if len(kept) >= MAX_KEPT:
            kept.clear()
        kept[func] = wrapped = plain(func)
        return wrapped

    app.ensure_sync = ensure_sync


class KeptSerializerSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with its serializer made once per secret key."""

    def get_signing_serializer(self, app):
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        kept = getattr(self, "_kept", None)
        if kept is None or kept[0] != key:
            self._kept = kept = (key, super().get_signing_serializer(app))
        return kept[1]

    def save_session(self, app, session, response):
        """An empty session nobody changed sets no cookie: say only that the page depends on it."""
        if not session and not session.modified:
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)


def _limiter_only_where_it_counts(app, limiter):
    """Wrap the limiter's hooks so that a request its filters exempt skips them whole."""

    def exempt():  # asked by three hooks: answered once per request
        environ = request.environ
        if "commune.limiter_exempt" not in environ:
            environ["commune.limiter_exempt"] = any(check() for check in limiter._request_filters)
        return environ["commune.limiter_exempt"]

    def wrap(hook):
        def skipped_when_exempt(*args, **kwargs):
            if request and exempt():
                return args[0] if args else None  # after_request hooks hand back the response
            return hook(*args, **kwargs)
        skipped_when_exempt.__wrapped__ = hook
        return skipped_when_exempt

    def belongs(hook):  # a bound method of the limiter, or a partial over it (its private hooks)
        if getattr(hook, "__self__", None) is limiter:
            return True
        return isinstance(hook, functools.partial) and hook.args[:1] == (limiter,)

    for registry in (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs):
        for hooks in registry.values():
            hooks[:] = [wrap(hook) if belongs(hook) else hook for hook in hooks]


def init_app(app, limiter):
    """After every extension is bound (the limiter's hooks must be there to be wrapped)."""
    _keep_sync_wrappers(app)
    app.session_interface = KeptSerializerSessions()
    _limiter_only_where_it_counts(app, limiter)
