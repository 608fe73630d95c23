"""CSRF on every state-changing route, and no state change on any GET.

With CSRF enabled as in production, every POST/PUT/PATCH/DELETE rule of the URL map is sent,
by every kind of visitor, a well-formed body with no token and with a token from another
session: each is refused with the "session expired" page and the database is unchanged.
Every GET rule, opened by every visitor on a populated database, writes nothing but the
access logs listed below.
"""
import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from commune.accounts.models import User
from commune.dossiers.models import Dossier, DossierEvent
from commune.extensions import db
from tests.conftest import make_app
from tests.security import fuzz_strategies as fz
from tests.security.matrix_data import VISITORS, csrf_token, login, populate, row_counts, url_for_rule

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
REFUSED = "Phiên làm việc đã hết hạn"  # the CSRF error page's title
# What a GET may write, and why: logs of who looked at personal data, and the figures' cache.
LOG_TABLES = {
    "audit_entries": "staff access to personal data is logged (exports, searches)",
    "report_months": "the monthly figures are cached when first computed",
    "report_month_counts": "the monthly figures are cached when first computed",
    "access_log": "staff access to personal data is logged",
    "personal_data_views": "staff access to personal data is logged",
}
LOG_EVENTS = ("document_view", "result_download")  # staff views; the villager's downloads of the result


def fingerprint():
    """Everything a state change would alter, leaving out the access logs a GET may write."""
    counts = {t: n for t, n in row_counts().items() if t not in LOG_TABLES}
    counts["dossier_events"] = db.session.scalar(
        sa.select(sa.func.count()).select_from(DossierEvent).where(DossierEvent.kind.not_in(LOG_EVENTS)))
    dossiers = db.session.execute(sa.select(Dossier.id, Dossier.status, Dossier.version, Dossier.result_method)
                                  .order_by(Dossier.id)).all()
    users = db.session.execute(sa.select(User.id, User.active, User.role, User.session_token, User.password_hash)
                               .order_by(User.id)).all()
    return counts, dossiers, users


def _unsafe_rules():
    return [pytest.param(r, m, id=f"{m} {r}") for r, m in _rules(UNSAFE)]


def _get_rules():
    return [pytest.param(r, "GET", id=f"GET {r}") for r, _m in _rules(("GET",))]


def _rules(methods):
    import tempfile
    from pathlib import Path

    app = make_app(Path(tempfile.mkdtemp(prefix="commune-csrf-ids-")))
    with app.app_context():
        found = [(r.rule, m) for r in sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
                 for m in sorted(r.methods & set(methods))]
        db.session.remove()
        db.engine.dispose()
    return found


@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    """The app with CSRF on, a populated commune and a logged-in client per visitor."""
    import os

    tmp = tmp_path_factory.mktemp("csrf")
    os.environ.setdefault("COMMUNE_INSTANCE_PATH", str(tmp / "instance"))
    app = make_app(tmp, WTF_CSRF_ENABLED=True)
    app.before_request_funcs.setdefault(None, []).insert(0, _forget_cached_token)
    with app.app_context():
        world = populate()
        clients = {kind: login(app.test_client(), world, kind) for kind in VISITORS}
        stranger = app.test_client()
        foreign = {"stranger": csrf_token(stranger)}
        yield app, world, clients, foreign
        db.session.remove()
        db.engine.dispose()


def _forget_cached_token():
    # The tests keep one app context open, so `g` outlives a request; Flask-WTF caches the
    # session's token in g. A real server starts each request with a fresh g: do the same.
    from flask import g

    g.pop("csrf_token", None)


def _body(app, rule, token=None):
    """A well-formed body for the view's forms (first plausible value of each field)."""
    view = app.view_functions[rule.endpoint]
    pairs = []
    for form in fz.forms_for_view(view, fz.form_classes()):
        for name, unbound in fz.field_names(form):
            pairs.append((name, _plain(name, unbound)))
    if token is not None:
        pairs.append(("csrf_token", token))
    return pairs


def _plain(name, unbound):
    """A fixed plausible value for a field (no randomness: the same body every run)."""
    from wtforms import fields as wtf

    cls = unbound.field_class if unbound is not None else wtf.StringField
    choices = unbound.kwargs.get("choices") if unbound is not None else None
    if choices and not callable(choices):
        first = choices[0]
        return str(first[0] if isinstance(first, (tuple, list)) else getattr(first, "value", first))
    if issubclass(cls, (wtf.IntegerField, wtf.DecimalField, wtf.FloatField)):
        return "1"
    if issubclass(cls, (wtf.DateField, wtf.DateTimeField)):
        return "2030-01-02"
    if issubclass(cls, wtf.BooleanField):
        return "y"
    return "0912345678" if "phone" in name else "Nguyễn Văn An"


def _rule(app, pattern, method):
    return next(r for r in app.url_map.iter_rules() if r.rule == pattern and method in r.methods)


@pytest.mark.parametrize(("pattern", "method"), _unsafe_rules())
def test_every_state_change_needs_this_sessions_csrf_token(guarded, pattern, method):
    """No token, or another session's token: refused, and nothing in the database changed."""
    app, world, clients, foreign = guarded
    rule = _rule(app, pattern, method)
    problems = []
    for kind, client in clients.items():
        with app.test_request_context():
            url = url_for_rule(rule, world, "mine")
        for label, token in (("no token", None), ("a stranger's token", foreign["stranger"])):
            before = fingerprint()
            response = client.open(url, method=method, data=MultiDict(_body(app, rule, token)))
            text = response.get_data(as_text=True)
            if response.status_code != 400 or REFUSED not in text:
                problems.append(f"{kind} with {label}: {response.status_code}")
            if fingerprint() != before:
                problems.append(f"{kind} with {label}: the database changed")
    assert not problems, f"{method} {url}: " + "; ".join(problems)


def test_a_token_of_the_same_session_is_accepted(guarded):
    """The control: the same refusal is not the site refusing everything (a real token passes)."""
    app, _world, clients, _foreign = guarded
    client = clients["clerk"]
    token = csrf_token(client, "/tai-khoan/mat-khau")
    response = client.post("/tai-khoan/mat-khau", data={"csrf_token": token})
    assert REFUSED not in response.get_data(as_text=True)
    assert response.status_code in (200, 400)


@pytest.mark.parametrize(("pattern", "method"), _get_rules())
def test_no_get_changes_the_database(guarded, pattern, method):
    """Every GET by every visitor, with real ids and codes, writes no row (beyond access logs)."""
    app, world, clients, _foreign = guarded
    rule = _rule(app, pattern, method)
    changed = []
    for kind, client in clients.items():
        target = "other" if kind == "other_villager" else "mine"
        with app.test_request_context():
            url = url_for_rule(rule, world, target)
        before = fingerprint()
        response = client.get(url)
        assert response.status_code < 500, f"{kind}: GET {url} answered {response.status_code}"
        if fingerprint() != before:
            changed.append(kind)
    assert not changed, f"GET {pattern} changed the database for: {', '.join(changed)}"
