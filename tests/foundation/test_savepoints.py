"""A savepoint's release is not a commit: what waits for the commit (the public pages' token, the
inbox's kept counts, waking the notice sender) waits for the real one."""
from commune.catalog.models import Procedure
from commune.extensions import db
from commune.inbox import count_cache
from commune.web import generation
from tests.factories import make_dossier, make_procedure


def test_the_pages_token_and_the_kept_counts_change_only_at_the_real_commit(app):
    procedure = make_procedure()
    db.session.commit()
    token, _changed = generation.current()
    version = count_cache.version()
    with db.session.begin_nested():
        db.session.get(Procedure, procedure.id).name = "Đổi tên trong điểm lưu"
        make_dossier(procedure, "submitted")
    assert generation.current()[0] == token  # released, not committed: other visitors must not see it
    assert count_cache.version() == version
    db.session.commit()
    assert generation.current()[0] != token
    assert count_cache.version() == version + 1
