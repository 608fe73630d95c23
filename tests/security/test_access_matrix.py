"""The access matrix: every route of the URL map × every kind of visitor → allowed or denied.

RULES below names, for every endpoint (and method where they differ), the visitors allowed;
every other visitor must be denied. A route without a rule fails the suite, so a new page
cannot ship without someone deciding who may open it. Visitors are the nine of the issue's
attack (matrix_data.VISITORS): anonymous, the villager holding their receipt key, the same
villager reaching for another's dossier, clerk, officer, leader, two postal accounts of
different post offices, admin, and the open session of an account since deactivated.

Allowed: the view ran (2xx, 3xx not to the login or look-up page, or 4xx from its own form
checks for a POST with an empty body). Denied: 403/404/405, or a redirect to the login or
look-up page, or (for the villager pages that answer with the look-up page) a page without
the dossier; and a denied answer never carries the dossier's ID number or lookup key.
"""
import pytest

from commune.dossiers.models import Dossier
from commune.extensions import db
from tests.conftest import make_app
from tests.security.matrix_data import VISITORS, login, populate, populated_commune, url_for_rule

ALL = frozenset(VISITORS)
STAFF = frozenset({"clerk", "officer", "leader", "admin"})
DESK = frozenset({"clerk", "admin"})
CARRIER = frozenset({"postal_a"})  # postal_a's office got the manifest and carries its items
VILLAGER = frozenset({"villager"})
NOBODY = frozenset()

# endpoint (or "endpoint METHOD") -> visitors allowed. Keep sorted by endpoint.
RULES = {
    "accounts.change_password": STAFF | {"postal_a", "postal_b"},
    "accounts.login": ALL,
    "accounts.logout": ALL,
    "admin.add_calendar_day": {"admin"},
    "admin.audit_log": {"admin"},
    "admin.calendar": {"admin"},
    "admin.confirm_tet": {"admin"},
    "admin.download_blank_form": {"admin"},
    "admin.edit_field": {"admin"},
    "admin.edit_procedure": {"admin"},
    "admin.edit_referral": {"admin"},
    "admin.delete_referral": {"admin"},
    "admin.referrals": {"admin"},
    "admin.ready_texts": {"admin"},
    "admin.edit_ready_text": {"admin"},
    "admin.delete_ready_text": {"admin"},
    "admin.edit_user": {"admin"},
    "admin.export_json": {"admin"},
    "admin.fields": {"admin"},
    "admin.import_json": {"admin"},
    "admin.national_import": {"admin"},
    "admin.national_import_review": {"admin"},
    "admin.national_import_apply": {"admin"},
    "admin.index": {"admin"},
    "admin.new_user": {"admin"},
    "admin.procedures": {"admin"},
    "admin.remove_blank_form": {"admin"},
    "admin.remove_calendar_day": {"admin"},
    "admin.reset_password": {"admin"},
    "admin.set_cutoff": {"admin"},
    "admin.settings": {"admin"},
    "admin.toggle_procedure": {"admin"},
    "admin.toggle_user": {"admin"},
    "admin.upload_blank_form": {"admin"},
    "admin.users": {"admin"},
    "assets_css": ALL,
    "catalog.api_detail": ALL,
    "catalog.api_list": ALL,
    "catalog.blank_form": ALL,
    "catalog.field": ALL,
    "catalog.guide": ALL,
    "catalog.home": ALL,
    "catalog.poster": ALL,
    "catalog.procedure": ALL,
    "catalog.qr": ALL,
    "catalog.search": ALL,
    "healthz": ALL,
    "robots": ALL,
    "inbox.act": STAFF,  # the "note" action: every inbox role
    "inbox.bulk_assign": {"clerk", "leader", "admin"},
    "inbox.bulk_receive": DESK,
    "inbox.dossier": STAFF,
    "inbox.file": STAFF,
    "inbox.index": STAFF,
    "inbox.new_counter": DESK,
    # The counter's pages go into the clerk's own batch; the batch in these URLs is nobody's.
    "inbox.counter_upload": DESK,
    "inbox.counter_tus_create": DESK,
    "inbox.counter_tus_upload": NOBODY,
    "inbox.counter_file": NOBODY,
    "inbox.counter_thumb": NOBODY,
    "inbox.print_apology": STAFF,
    "inbox.print_control": STAFF,
    "inbox.print_many": STAFF,
    "inbox.print_selected": STAFF,
    "inbox.print_receipt": STAFF,
    "inbox.print_refusal": STAFF,
    "inbox.print_stop": STAFF,
    "inbox.print_supplement": STAFF,
    "inbox.thumb": STAFF,
    "inbox.use_ready_text": {"clerk", "officer", "admin"},  # the refusal form: who may refuse
    "inbox.viewer": STAFF,
    "postal.confirm_manifest": CARRIER | DESK,
    "postal.item": CARRIER | DESK,
    "postal.item_delivered": CARRIER,
    "postal.item_failed": CARRIER,
    "postal.item_out": CARRIER,
    "postal.item_return": CARRIER | DESK,
    "postal.manifest": DESK,
    "postal.manifest_print": CARRIER | DESK,
    "postal.manifests": DESK,
    "postal.my_items": DESK | {"postal_a", "postal_b"},
    "postal.new_manifest": DESK,
    "postal.open_manifest": {"postal_a", "postal_b"},
    "postal.proof": CARRIER,
    "postal.waiting": DESK,
    # The carrier's round (round_views.py): postal accounts only; an item's order only its carrier.
    "postal.app_icon": ALL,
    "postal.hand_back": CARRIER | DESK,
    "postal.hand_back_confirm": DESK,
    "postal.hand_backs": DESK,
    "postal.round_close": {"postal_a", "postal_b"},
    "postal.round_data": {"postal_a", "postal_b"},
    "postal.round_move_item": CARRIER,
    "postal.round_move_village": CARRIER,
    "postal.round_page": {"postal_a", "postal_b"},
    "postal.round_record": {"postal_a", "postal_b"},
    "postal.round_start": {"postal_a", "postal_b"},
    "postal.service_worker": {"postal_a", "postal_b"},
    "postal.web_manifest": {"postal_a", "postal_b"},
    "reports.export": {"clerk", "leader", "admin"},
    "reports.figures": {"clerk", "leader", "admin"},
    "reports.monthly_report": {"clerk", "leader", "admin"},
    "reports.register_print": {"clerk", "leader", "admin"},
    "set_language": ALL,
    "static": ALL,
    # The submission steps work on this browser's own draft only: no visitor here holds a
    # draft cookie, so every one of them is sent to "không tìm thấy" (the villager's draft
    # journey is tested in tests/submissions).
    "submissions.check": NOBODY,
    "submissions.fields": NOBODY,
    "submissions.lost": ALL,
    "submissions.photos": NOBODY,
    "submissions.result": NOBODY,
    "submissions.resume": ALL,  # the continue link of a draft: whoever holds the link
    "submissions.start": ALL,
    "submissions.submit_dossier": NOBODY,
    "submissions.upload": NOBODY,
    # Resumable uploads: the draft's own (no visitor here holds a draft); OPTIONS is not listed.
    "submissions.tus_create": NOBODY,
    "submissions.tus_upload": NOBODY,
    # A document photo: the villager with the key (staff read it from the inbox); never a
    # carrier, never another villager.
    "submissions.file": VILLAGER,
    "submissions.thumb": VILLAGER,
    "submissions.remove": NOBODY,  # a photo of a submitted dossier is never removed from outside
    # Villager pages: only the villager acts on their dossier; staff see it through the inbox.
    "tracking.lookup": ALL,
    # Staff never look a dossier up as a villager would (they have the inbox).
    "tracking.lookup POST": {"anonymous", "villager", "other_villager", "deactivated"},
    "tracking.sign_out": ALL,  # "Thoát": forgets this browser's grants, whoever asks
    "tracking.dossier": VILLAGER | STAFF,
    "tracking.receipt": VILLAGER | STAFF,  # staff see it without the key (KEY_SHOWN_TO)
    "tracking.withdraw": VILLAGER,
    "tracking.rate": VILLAGER,
    "tracking.answer_supplement": VILLAGER,
    "tracking.supplement_photo": VILLAGER,
    "tracking.supplement_tus_create": VILLAGER,
    "tracking.supplement_tus_upload": NOBODY,  # no upload of that id exists for anyone
    "tracking.supplement_remove": NOBODY,  # the file is a first-round document, not a supplement page
    "tracking.result_file": VILLAGER,  # the electronic result: the key holder only (staff: the inbox)
    "tracking.short_link": ALL,  # the SMS link: a redirect to the tracking page, which decides
    "postal.change_method": VILLAGER,
    # Fees: only the desk confirms payments, corrects a fee, imports and confirms statements.
    "payments.confirm": DESK,
    "payments.correct_fee": DESK,
    "payments.statements": DESK,
    "payments.statement": DESK,
    "payments.confirm_statement": DESK,
    # The sync to the province: the desk retries a failed record; the admin configures and tests it.
    "sync.retry_failed": DESK,
    "sync.settings": {"admin"},
    "sync.test": {"admin"},
}
# Pages that answer a visitor without access with a 200 page (the look-up form) instead of
# a 404: allowed only if the page shows the dossier (its applicant's name).
SOFT = {"tracking.dossier", "tracking.receipt"}
# Pages whose own answer is a 404 (the "we could not find your draft" page).
ANSWER_404 = {"submissions.lost"}
# Routes whose whole job is to send the visitor to the login page.
LOGIN_IS_THE_ANSWER = {"accounts.logout"}
# Where the lookup key (the full-access credential) may appear: to the villager, and to staff
# only on the receipt the desk prints for the villager. Anywhere else it is a leak.
KEY_SHOWN_TO = {"inbox.print_receipt": STAFF}
# Where H1's villager-access work has not landed yet the rule stays as the issue demands and
# is expected to fail until it does: {(endpoint, visitor): reason}.
PENDING = {}
DENIED_STATUSES = {401, 403, 404, 405}
DENIED_REDIRECTS = ("/dang-nhap", "/tra-cuu", "/nop-ho-so/khong-tim-thay")


def _rule_key(endpoint, method):
    return f"{endpoint} {method}" if f"{endpoint} {method}" in RULES else endpoint


def _all_rules():
    import tempfile
    from pathlib import Path

    app = make_app(Path(tempfile.mkdtemp(prefix="commune-matrix-ids-")))
    with app.app_context():
        found = [(r.endpoint, r.rule, m) for r in sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule))
                 for m in sorted(r.methods - {"HEAD", "OPTIONS"})]
        db.session.remove()
        db.engine.dispose()
    return found


ALL_RULES = _all_rules()


def test_every_route_has_a_rule():
    """A route nobody decided about fails here: add it to RULES."""
    missing = sorted({e for e, _r, m in ALL_RULES if _rule_key(e, m) not in RULES})
    assert not missing, f"routes without an access rule: {missing}"


def test_no_rule_names_a_route_that_is_gone():
    endpoints = {e for e, _r, _m in ALL_RULES}
    stale = sorted(k for k in RULES if k.split(" ")[0] not in endpoints)
    assert not stale, f"rules for routes that no longer exist: {stale}"


def _judge(endpoint, method, response, markers, name):
    """'allowed' or 'denied' for one answer, and a leak message if a denied answer shows secrets."""
    status = response.status_code
    location = response.headers.get("Location", "")
    text = response.get_data(as_text=True) if response.mimetype.startswith("text") else ""
    if (endpoint in ANSWER_404 and status == 404) or (endpoint in LOGIN_IS_THE_ANSWER and status == 302):
        verdict = "allowed"
    elif status in DENIED_STATUSES or (300 <= status < 400 and location.split("?")[0].endswith(DENIED_REDIRECTS)):
        verdict = "denied"
    elif endpoint in SOFT and status == 200 and name not in text:
        verdict = "denied"
    elif method == "GET" and status >= 400:
        verdict = "denied"
    else:
        verdict = "allowed"
    leak = None
    if verdict == "denied":
        leaked = [m for m in markers if m and m in text]
        leak = f"denied but shows {leaked}" if leaked else None
    return verdict, leak


def _markers(world, target):
    dossier = db.session.get(Dossier, world.dossiers[target])
    return (dossier.applicant_id_number, world.keys[target]), dossier.applicant_name  # the DB keeps its hash


def _check(app, world, clients, endpoint, pattern, method):
    rule = next(r for r in app.url_map.iter_rules() if r.rule == pattern and r.endpoint == endpoint)
    allowed = RULES[_rule_key(endpoint, method)]
    problems = []
    # The denied first: an allowed POST may change what the next visitor would see.
    for kind in sorted(VISITORS, key=lambda k: k in allowed):
        target = "other" if kind == "other_villager" else "mine"
        with app.test_request_context():
            url = url_for_rule(rule, world, target)
        response = clients[kind].open(url, method=method)
        assert response.status_code < 500, f"{kind}: {method} {url} answered {response.status_code}"
        markers, name = _markers(world, target)
        verdict, leak = _judge(endpoint, method, response, markers, name)
        expected = "allowed" if kind in allowed else "denied"
        if leak:
            problems.append(f"{kind}: {leak}")
        key = markers[1]
        text = response.get_data(as_text=True) if response.mimetype.startswith("text") else ""
        if kind not in VILLAGER | KEY_SHOWN_TO.get(endpoint, NOBODY) and key in text:
            problems.append(f"{kind}: sees the lookup key")
        if verdict != expected and (endpoint, kind) not in PENDING:
            problems.append(f"{kind}: {verdict} ({response.status_code} {response.headers.get('Location', '')}), "
                            f"expected {expected}")
    return problems


@pytest.fixture(scope="module")
def commune_for_gets(tmp_path_factory):
    """One populated commune for every GET (they change nothing: test_csrf.py checks it)."""
    with populated_commune(tmp_path_factory, "matrix", VISITORS) as commune:
        yield commune


@pytest.mark.parametrize(("endpoint", "pattern", "method"),
                         [pytest.param(e, r, m, id=f"{m} {r}") for e, r, m in ALL_RULES if m == "GET"])
def test_get_routes_follow_the_matrix(commune_for_gets, endpoint, pattern, method):
    if _rule_key(endpoint, method) not in RULES:
        pytest.fail(f"{endpoint} has no access rule")
    app, world, clients = commune_for_gets
    try:
        problems = _check(app, world, clients, endpoint, pattern, method)
    finally:
        db.session.commit()  # hold no transaction open: the POST tests empty PostgreSQL's tables
        db.session.close()
    assert not problems, f"{method} {pattern}: " + "; ".join(problems)


@pytest.mark.parametrize(("endpoint", "pattern", "method"),
                         [pytest.param(e, r, m, id=f"{m} {r}") for e, r, m in ALL_RULES if m != "GET"])
def test_state_changing_routes_follow_the_matrix(tmp_path, monkeypatch, endpoint, pattern, method):
    """Each POST on a fresh commune (a POST that is allowed may change it), empty body."""
    if _rule_key(endpoint, method) not in RULES:
        pytest.fail(f"{endpoint} has no access rule")
    monkeypatch.setenv("COMMUNE_INSTANCE_PATH", str(tmp_path / "instance"))
    app = make_app(tmp_path)
    with app.app_context():
        world = populate()
        clients = {kind: login(app.test_client(), world, kind) for kind in VISITORS}
        problems = _check(app, world, clients, endpoint, pattern, method)
        db.session.remove()
        db.engine.dispose()
    assert not problems, f"{method} {pattern}: " + "; ".join(problems)

