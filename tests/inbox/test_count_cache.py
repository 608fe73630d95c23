"""The tab counts are kept for a moment, and never outlive a change to a dossier."""
from commune.dossiers.states import Status
from commune.dossiers.workflow import transition
from commune.extensions import db
from commune.inbox import count_cache, filtering, tabs
from tests.factories import make_dossier, make_procedure


def _counts():
    return tabs.counts(filtering.Filters(), tabs.Context())


def test_a_change_committed_here_shows_at_once_and_another_process_s_within_the_ttl(app, monkeypatch):
    procedure = make_procedure()
    first = make_dossier(procedure, "submitted")
    db.session.commit()
    assert _counts()["waiting"] == 1
    make_dossier(procedure, "submitted")
    db.session.commit()
    assert _counts()["waiting"] == 2  # this process committed a dossier: the kept counts are dropped
    transition(first, Status.RECEIVED, note="test")
    db.session.commit()
    assert _counts()["waiting"] == 1 and _counts()["processing"] == 1

    # A change the ORM of this process never saw (as another process would commit it): kept
    # counts may lag, for TTL_SECONDS at most.
    db.session.execute(db.text("UPDATE dossiers SET status = 'submitted'"))
    db.session.commit()
    assert _counts()["waiting"] == 1
    clock = [count_cache.time.monotonic() + count_cache.TTL_SECONDS + 0.1]
    monkeypatch.setattr(count_cache.time, "monotonic", lambda: clock[0])
    assert _counts()["waiting"] == 2


def test_filtered_counts_are_never_kept(app):
    procedure, other = make_procedure(), make_procedure(name="Khác")
    make_dossier(procedure, "submitted")
    db.session.commit()
    assert tabs.counts(filtering.Filters(procedure_id=procedure.id), tabs.Context())["waiting"] == 1
    db.session.execute(db.text("UPDATE dossiers SET procedure_id = :p"), {"p": other.id})  # unseen by the ORM
    db.session.commit()
    assert tabs.counts(filtering.Filters(procedure_id=procedure.id), tabs.Context())["waiting"] == 0
