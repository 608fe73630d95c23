"""The named permission policies, asked directly: what each role may read and do.

The access matrix (test_access_matrix.py) tries every route with every visitor; these tests
ask the policies the views and templates share (Dossier.can_view / can_act,
Manifest.can_open, ManifestItem.can_handle), so a wrong group shows here by name.
"""
import pytest

from commune.core.roles import ROLES
from commune.extensions import db
from commune.inbox.actions import ACTIONS
from commune.postal import services as postal
from commune.postal.models import ManifestItem
from tests.factories import make_dossier, make_user, ready_by_post

# What each role may do on a received dossier assigned to nobody (the inbox's rules, written out).
EXPECTED_ON_RECEIVED = {
    "admin": {"start", "ready", "supplement", "assign", "refuse", "withdraw", "message", "note", "checklist"},
    "clerk": {"start", "ready", "supplement", "assign", "refuse", "withdraw", "message", "note", "checklist"},
    "officer": {"start", "ready", "supplement", "refuse", "message", "note", "checklist"},
    "leader": {"assign", "note"},
    "postal": set(),
}


@pytest.mark.parametrize("role", ROLES)
def test_who_may_read_a_dossier(app, role):
    user = make_user(role)
    received, draft = make_dossier(status="received"), make_dossier(status="draft", submitted_at=None)
    assert received.can_view(user) is (role != "postal")
    assert draft.can_view(user) is False  # a villager's unsent draft is theirs alone
    assert received.can_view(None) is False


@pytest.mark.parametrize("role", ROLES)
def test_what_each_role_may_do_on_a_received_dossier(app, role):
    user = make_user(role)
    dossier = make_dossier(status="received")
    allowed = {key for key, action in ACTIONS.items() if dossier.can_act(user, action)}
    assert allowed == EXPECTED_ON_RECEIVED[role]


def test_an_officer_acts_only_on_dossiers_of_their_own_or_of_nobody(app):
    officer, colleague = make_user("officer"), make_user("officer")
    mine, nobodys, theirs = (make_dossier(status="received", assignee_id=a) for a in (officer.id, None, colleague.id))
    db.session.flush()
    start, note = ACTIONS["start"], ACTIONS["note"]
    assert mine.can_act(officer, start) and nobodys.can_act(officer, start)
    assert not theirs.can_act(officer, start)
    assert theirs.can_act(officer, note)  # a note is not scoped to the assignee
    # Whatever the state: the role and the scope only (the view answers 409, not 403, for the state).
    returned = make_dossier(status="returned", assignee_id=officer.id)
    assert not returned.can_act(officer, start)
    assert returned.can_act(officer, start, whatever_the_state=True)
    assert not theirs.can_act(officer, start, whatever_the_state=True)


def test_a_manifest_opens_for_its_own_post_office_and_an_item_for_its_carrier(app):
    clerk = make_user("clerk")
    carrier, same_office, elsewhere = (make_user("postal") for _ in range(3))
    carrier.post_office = same_office.post_office = "Bưu điện xã Mẫu"
    elsewhere.post_office = "Bưu điện huyện"
    manifest = postal.create_manifest([ready_by_post(), ready_by_post(name="Lò Văn B")], clerk,
                                      post_office="Bưu điện xã Mẫu")
    assert manifest.can_open(carrier) and manifest.can_open(same_office)
    assert not manifest.can_open(elsewhere) and not manifest.can_open(clerk)
    postal.confirm_manifest(manifest, carrier, {i.id: "" for i in manifest.items}, postal.new_token())
    db.session.flush()
    assert manifest.can_open(carrier)  # handed to them: still theirs once confirmed
    assert not manifest.can_open(same_office)  # confirmed by a colleague: no longer open to the office
    item = db.session.get(ManifestItem, manifest.items[0].id)
    assert item.can_handle(carrier)
    assert not item.can_handle(same_office) and not item.can_handle(elsewhere)
    assert not item.can_handle(clerk)
    assert item.can_handle(clerk, desk=True)  # the desk takes items back from the manifest page
    assert not item.can_handle(make_user("officer"), desk=True)
