"""What every request pays before and after its view, kept small (issue #18, BENCHMARKS.md).

A kept catalog page or `/robots.txt` does almost nothing itself, so the fixed cost around it
is what decides how many a cheap machine serves. Three of Flask's and its extensions' habits
cost more than the page:
- `Flask.ensure_sync` asks `inspect` whether each hook is a coroutine, about fifteen times a
  request: the answer for one function never changes, so `LeanFlask` keeps it (overriding
  `ensure_sync` is what Flask's documentation offers for changing it);
- the session interface builds a new signing serializer (itsdangerous) twice a request, even
  for a visitor without a cookie: one per secret key is kept, and an empty session nobody
  changed skips the cookie settings it would not use (a `session_interface`, Flask's public
  way to change sessions);
- Flask-Limiter computes its limits before it reads its own request filters: on the routes
  the filters exempt (the catalog's reads, static files, health, robots) its three hooks
  return at once.

The last one has no public way: it finds the limiter's hooks in Flask's hook lists and wraps
them. Flask and Flask-Limiter are pinned in requirements.txt, and
tests/foundation/test_request_cost.py checks every internal it leans on, so an upgrade that
moves them fails a test rather than the site.
"""
import functools

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface

from ..extensions import limiter

MAX_KEPT = 4096  # hooks and views are a few hundred; a bound in case something makes them anew
_exemptions = []  # the request filters registered through exempt_from_limits()


class LeanFlask(Flask):
    """Flask, with ensure_sync()'s answer kept per function (it asks `inspect` each time)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kept_sync = {}

    def ensure_sync(self, func):
        try:
            return self.kept_sync[func]
        except KeyError:
            pass
        except TypeError:  # not hashable: nothing to keep
            return super().ensure_sync(func)
        if len(self.kept_sync) >= MAX_KEPT:
            self.kept_sync.clear()
        self.kept_sync[func] = wrapped = super().ensure_sync(func)
        return wrapped


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


def exempt_from_limits(check):
    """`@exempt_from_limits`: Flask-Limiter's request filter (its public `request_filter`), which
    also lets a request it exempts skip the limiter's hooks whole."""
    _exemptions.append(check)
    return limiter.request_filter(check)


def limiter_hook(hook):
    """Whether `hook` (from Flask's hook lists) is one of the limiter's: a bound method of it, or
    a partial over it (how Flask-Limiter registers its private after_request hook)."""
    if getattr(hook, "__self__", None) is limiter:
        return True
    return isinstance(hook, functools.partial) and hook.args[:1] == (limiter,)


def _limiter_only_where_it_counts(app):
    """Wrap the limiter's hooks so that a request its filters exempt skips them whole."""

    def exempt():  # asked by three hooks: answered once per request
        environ = request.environ
        if "commune.limiter_exempt" not in environ:
            environ["commune.limiter_exempt"] = any(check() for check in _exemptions)
        return environ["commune.limiter_exempt"]

    def wrap(hook):
        def skipped_when_exempt(*args, **kwargs):
            if request and exempt():
                return args[0] if args else None  # after_request hooks hand back the response
            return hook(*args, **kwargs)
        skipped_when_exempt.__wrapped__ = hook
        return skipped_when_exempt

    for registry in (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs):
        for hooks in registry.values():
            hooks[:] = [wrap(hook) if limiter_hook(hook) else hook for hook in hooks]


def init_app(app):
    """After every extension is bound (the limiter's hooks must be there to be wrapped)."""
    app.session_interface = KeptSerializerSessions()
    _limiter_only_where_it_counts(app)
