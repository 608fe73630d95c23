"""Never a 500: every route of the URL map and every form class, fuzzed with hostile input.

Generated, not written: each rule of app.url_map (each method) is one test; hypothesis picks
the visitor (anonymous, a villager holding their receipt key, or a logged-in staff member of
each role), the URL arguments (oversized, negative, unicode, Unicode digits, numbers past the
database's, invalid UTF-8, real ids and codes), the query string, a few of the headers the site
reads (hostile values) and, for a POST, a body built from the fields of the forms the view uses
(missing, repeated, wrong types, plausible values), sent urlencoded, as multipart (odd parts
too), as JSON of any shape or as raw bytes of another type (fuzz_wire.py). Any 5xx fails with
the traceback the server logged. Every CommuneForm subclass is also validated directly with
hostile data, JSON and file parts. A new route, form or header read is fuzzed the day it is added.

Bounded for CI: COMMUNE_FUZZ_EXAMPLES examples per route and per form (default 20). A longer
run by hand:  COMMUNE_FUZZ_EXAMPLES=500 .venv/bin/python -m pytest tests/security/test_fuzz.py -q
"""
import collections
import logging
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from commune.extensions import db
from tests.conftest import make_app
from tests.security import fuzz_strategies as fz
from tests.security import fuzz_wire as wire
from tests.security.matrix_data import DRAFT_TOKEN, STAFF_ROLES, VISITORS, populated_commune

EXAMPLES = int(os.environ.get("COMMUNE_FUZZ_EXAMPLES", "20"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# The fuzz's own visitors: who may reach which code differs, so each is tried.
FUZZ_VISITORS = tuple(v for v in VISITORS if v != "other_villager")
# (method, rule, status) -> count; COMMUNE_FUZZ_STATS=1 prints it (to see what the fuzz reaches).
STATS = collections.Counter()


class _Tracebacks(logging.Handler):
    """Keeps what the error handler logged, so a 500 shows its cause."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.records = []

    def emit(self, record):
        self.records.append(self.format(record))


def _rules(app):
    rules = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule)):
        for method in sorted(rule.methods & set(METHODS)):
            rules.append(pytest.param(rule.rule, method, id=f"{method} {rule.rule}"))
    return rules


def _app_rules():
    import tempfile
    from pathlib import Path

    app = make_app(Path(tempfile.mkdtemp(prefix="commune-fuzz-ids-")))
    with app.app_context():
        rules = _rules(app)
        db.session.remove()
        db.engine.dispose()
    return rules


RULES = _app_rules()
FORMS = fz.form_classes()
HEADERS = wire.headers_read_by_code()


@pytest.fixture(scope="module")
def commune(tmp_path_factory):
    """The app on a populated database, one logged-in client per visitor, their cookies kept."""
    with populated_commune(tmp_path_factory, "fuzz", FUZZ_VISITORS) as (app, world, clients):
        clients["villager"].set_cookie("draft", DRAFT_TOKEN)
        jars = {kind: dict(c._cookies) for kind, c in clients.items()}
        from commune.accounts.models import User

        accounts = {u.id: (u.role, u.active, u.session_token, u.password_hash)
                    for u in db.session.scalars(db.select(User))}
        # Real values by argument name (the visitor's own dossier first), then everything.
        everything = sorted({*world.codes.values(), *world.keys.values(), world.procedure_slug,
                             world.field_code, world.manifest_number, world.open_manifest_number,
                             DRAFT_TOKEN, "0", "1"})
        known = {"code": [world.codes["mine"]] * 8 + [*world.codes.values(), world.field_code],
                 "slug": [world.procedure_slug], "number": [world.manifest_number, world.open_manifest_number],
                 "token": [DRAFT_TOKEN], "part": ["0", "1"], "": everything,
                 "dossier_id": [str(i) for i in world.dossiers.values()],
                 "file_id": [str(i) for i in world.files.values()], "item_id": [str(world.item_id)],
                 "user_id": [str(i) for i in world.users.values()], "procedure_id": [str(world.procedure_id)],
                 "field_id": [str(world.field_id)]}
        tracebacks = _Tracebacks()
        logging.getLogger("commune.errors").addHandler(tracebacks)

        def visitor(kind):
            """The visitor's client as it was after login (the fuzz may have logged it out or
            changed its account: an admin example can deactivate or re-role anyone)."""
            for user_id, (role, active, token, password) in accounts.items():
                user = db.session.get(User, user_id)
                if user is not None and (user.role, user.active, user.session_token,
                                         user.password_hash) != (role, active, token, password):
                    user.role, user.active, user.session_token, user.password_hash = role, active, token, password
            db.session.commit()
            client = clients[kind]
            client._cookies = dict(jars[kind])
            return client

        yield app, world, known, visitor, tracebacks
        if os.environ.get("COMMUNE_FUZZ_STATS"):
            for (method, pattern, status), n in sorted(STATS.items()):
                print(f"{n:6d}  {status}  {method} {pattern}")
        logging.getLogger("commune.errors").removeHandler(tracebacks)


def _roles(rule, view):
    """The roles a view lets in: its roles_required, or the admin blueprint's guard (every admin URL)."""
    roles = getattr(view, "allowed_roles", None)
    if roles is None and rule.endpoint.startswith("admin."):
        from commune.core.roles import ADMINS

        roles = ADMINS
    return roles


def _fail_on_5xx(response, tracebacks, what):
    logged = "\n".join(tracebacks.records[-1:])
    tracebacks.records.clear()
    assert response.status_code < 500, f"{what} answered {response.status_code}\n{logged}"


@pytest.mark.parametrize(("pattern", "method"), RULES)
def test_no_route_answers_5xx_to_hostile_input(commune, pattern, method):
    """Every route × method: hostile URL arguments, query strings and bodies, for every visitor."""
    app, world, known, visitor, tracebacks = commune
    rule = next(r for r in app.url_map.iter_rules() if r.rule == pattern and method in r.methods)
    view = app.view_functions[rule.endpoint]
    constants = fz.view_constants(view)
    forms = fz.forms_for_view(view, FORMS)
    named = fz.named_forms(view, FORMS)
    hand_names = fz.names_read_by_hand()
    converters = fz.rule_converters(rule)
    # Mostly a visitor the view lets in (its roles_required roles, else the villager), so its code runs.
    roles = _roles(rule, view)
    likely = [k for k in FUZZ_VISITORS if STAFF_ROLES.get(k) in roles and k != "deactivated"] if roles else ["villager"]

    @FUZZ
    @given(data=st.data())
    def run(data):
        kind = data.draw(st.one_of(st.sampled_from(likely), st.sampled_from(FUZZ_VISITORS)), label="visitor")
        args = {name: data.draw(fz.url_arg(conv, known[name] if name in known else
                                           None if conv == "int" else known[""] + constants), label=name)
                for name, conv in converters.items()}
        path = fz.build_path(rule, args)
        query_names = hand_names + [n for f in forms for n, _u in fz.field_names(f)]
        query = data.draw(fz.query_string(query_names or ["q"]), label="query")
        headers = data.draw(wire.headers(HEADERS, fz.hostile_text()), label="headers")
        kwargs = {"query_string": query, "headers": headers}
        if method != "GET":
            prefix = data.draw(st.sampled_from(["", *(f"{v}-" for v in constants if v.isidentifier())]),
                               label="prefix") if "key" in converters else ""
            fields = [(n, u) for f in forms for n, u in fz.field_names(f, prefix)]
            fields += [(n, None) for n in hand_names]
            if forms:
                chosen = data.draw(st.one_of(st.sampled_from(named or forms), st.sampled_from(forms)), label="form")
                fields = fz.field_names(chosen, prefix) + data.draw(
                    st.lists(st.sampled_from(fields), max_size=3, unique=True), label="extra fields")
            files = [n for n, u in fields if u is not None and "File" in u.field_class.__name__]
            content_type, payload = data.draw(fz.body(fields, files), label="body")
            kwargs.update(data=payload, content_type=content_type)
        client = visitor(kind)
        response = client.open(path, method=method, **kwargs)
        STATS[(method, pattern, response.status_code)] += 1
        if os.environ.get("COMMUNE_FUZZ_TRACE"):
            print(kind, method, path, response.status_code, kwargs.get("data"))
        _fail_on_5xx(response, tracebacks, f"{kind}: {method} {path}?{query!r} {kwargs.get('headers')!r} "
                                            f"{kwargs.get('content_type')!r} {kwargs.get('data')!r:.300}")

    run()


@pytest.mark.parametrize("name", sorted(FORMS))
def test_no_form_breaks_on_hostile_data(commune, name):
    """Every form class validates any data without an exception (wrong types, missing, repeated)."""
    app, _world, _known, _visitor, _tracebacks = commune
    form_cls = FORMS[name]
    names = fz.field_names(form_cls)

    @FUZZ
    @given(data=st.data())
    def run(data):
        pairs = []
        for field, unbound in names:
            for _ in range(data.draw(st.sampled_from((0, 1, 1, 2)))):
                value = data.draw(fz.field_value(unbound))
                pairs.append((field, fz.as_text(value)))
        how = data.draw(st.sampled_from(("form", "form", "json", "files")), label="sent as")
        if how == "json":  # a JSON object of the form's fields, any value where text is expected
            request = {"json": {field: data.draw(wire.json_value()) for field, _u in names}}
        elif how == "files":  # every value a file part (werkzeug puts it in request.files)
            request = {"data": MultiDict(wire.as_files(pairs)), "content_type": "multipart/form-data"}
        else:
            request = {"data": MultiDict(pairs)}
        with app.test_request_context(method="POST", **request):
            form = _instance(form_cls)
            if form is None:
                return
            form.validate()
            str(form.errors)  # the messages render (lazy strings)

    run()


def _instance(form_cls):
    """The form bound to the request, or None for a form that needs arguments of its view."""
    try:
        return form_cls()
    except TypeError:
        return None


def test_every_form_class_is_discovered():
    """The discovery finds the forms of every feature (a guard for the generator itself)."""
    modules = {cls.__module__.split(".")[1] for cls in FORMS.values()}
    assert {"accounts", "admin", "inbox", "postal", "submissions", "tracking"} <= modules
    assert len(FORMS) >= 30


def _sweep_rules():
    return [p for p in RULES if p.values[1] == "POST"]


@pytest.mark.parametrize(("pattern", "method"), _sweep_rules())
def test_no_post_breaks_on_one_missing_or_mistyped_field(commune, pattern, method):
    """Deterministic companion of the fuzz: a well-formed body for each form the view uses (each
    choice of its radio buttons and selects), then each field in turn missing, empty, repeated
    and of the wrong type. Finds the "one field left out gives 500" class every run."""
    app, world, _known, visitor, tracebacks = commune
    rule = next(r for r in app.url_map.iter_rules() if r.rule == pattern and method in r.methods)
    view = app.view_functions[rule.endpoint]
    roles = _roles(rule, view)
    kinds = [k for k in FUZZ_VISITORS if STAFF_ROLES.get(k) in roles and k != "deactivated"][:2] if roles \
        else ["villager"]
    for key, forms in fz.sweep_targets(view, FORMS, "key" in fz.rule_converters(rule)):
        with app.test_request_context():
            url = _real_url(app, rule, world, key)
        for form in forms:
            prefix = f"{key}-" if key else ""
            bases = fz.well_formed_bodies(form, prefix)
            for base in bases:
                for body in fz.one_field_mutations(base):
                    for kind in kinds:
                        response = visitor(kind).post(url, data=MultiDict(body))
                        _fail_on_5xx(response, tracebacks, f"{kind}: POST {url} {body!r}")
            # The first body as JSON (each value a number, a list, null…) and as file parts.
            for document in wire.json_variants(bases[0]):
                response = visitor(kinds[0]).post(url, json=document)
                _fail_on_5xx(response, tracebacks, f"{kinds[0]}: POST {url} JSON {document!r}")
            response = visitor(kinds[0]).post(url, data=MultiDict(wire.as_files(bases[0])),
                                              content_type="multipart/form-data")
            _fail_on_5xx(response, tracebacks, f"{kinds[0]}: POST {url} every value a file part")


def _real_url(app, rule, world, key):
    from flask import url_for

    from tests.security.matrix_data import ARG_VALUES

    values = {name: (key if name == "key" and key else ARG_VALUES[name](world, "mine")) for name in rule.arguments}
    return url_for(rule.endpoint, **values)


@pytest.mark.parametrize("value", ["99999999999999999999", str(2**63), str(2**31), "0", "-1"])
def test_an_id_the_database_cannot_hold_is_not_found_on_every_int_route(commune, value):
    """The issue's /tep/99999999999999999999 (OverflowError, a 500): every <int:…> route, 404."""
    app, world, _known, visitor, tracebacks = commune
    int_rules = [r for r in app.url_map.iter_rules() if "int" in fz.rule_converters(r).values()]
    assert int_rules
    client = visitor("admin")
    for rule in int_rules:
        path = fz.build_path(rule, {name: value if conv == "int" else "x"
                                    for name, conv in fz.rule_converters(rule).items()})
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = client.open(path, method=method)
            assert response.status_code == 404, f"{method} {path}: {response.status_code}"
