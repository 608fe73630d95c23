"""The unit of work owns the rollback: a rule's refusal (a DomainError from a service) rolls back
everything the request changed before the view re-renders its form, and no view rolls back by hand."""
import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import g

from commune.core.domain_error import DomainError
from commune.dossiers.models import Dossier, DossierFile
from commune.extensions import db
from commune.files.photos import MSG_NOT_IMAGE
from commune.web.unit_of_work import after_commit, refusal_rolls_back
from tests.factories import make_procedure, new_dossier
from tests.journeys import act
from tests.photos import images

COMMUNE = Path(__file__).resolve().parents[2] / "commune"


def test_no_view_module_rolls_back_by_hand():
    sites = [f"{path.relative_to(COMMUNE.parent)}:{number}: {line.strip()}"
             for path in sorted(COMMUNE.rglob("*views*.py"))
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if "rollback(" in line]
    assert not sites, "views refuse through web.unit_of_work.refusal_rolls_back(), not by hand:\n" + "\n".join(sites)


def test_a_refusal_after_a_flushed_change_keeps_nothing_and_the_form_shows_why(app, client, login_as):
    """Marking ready with two result files: the first is stored and flushed, the second is not a
    picture, so the action is refused; the page comes back with the reason and nothing is kept."""
    procedure = make_procedure(name="Chứng thực bản sao (thử)", result_copy="reference")
    dossier = new_dossier(procedure=procedure, status="processing")
    db.session.commit()
    login_as("officer")
    response = act(client, dossier, "ready", {"note": "Đã ký", "result": [
        (io.BytesIO(images.jpeg()), "trang-1.jpg"), (io.BytesIO(b"khong phai anh"), "trang-2.jpg")]},
        content_type="multipart/form-data")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    # The same form again, the reason beside the field and the clerk's note kept.
    assert f'<p class="error" id="ready-result-error">{MSG_NOT_IMAGE.format(ext="jpg")}</p>' in page
    assert re.search(r'<textarea id="ready-note"[^>]*>\s*Đã ký</textarea>', page)
    assert f"/hop-thu/ho-so/{dossier.id}/anh/" not in page  # drawn after the rollback: no half-attached result
    dossier = db.session.get(Dossier, dossier.id)
    assert dossier.status == "processing" and dossier.ready_at is None
    assert db.session.scalars(sa.select(DossierFile).filter_by(dossier_id=dossier.id)).all() == []


def test_a_refusal_forgets_what_waited_for_the_commit_and_other_errors_pass_through(app):
    ran = []
    with app.test_request_context():
        after_commit(lambda: ran.append("deleted files"))
        with refusal_rolls_back() as refusal:  # any DomainError by default
            raise DomainError("Không được.")
        assert refusal and str(refusal.error) == "Không được."
        assert "unit_of_work_after" not in g
        with pytest.raises(KeyError), refusal_rolls_back():
            raise KeyError("a bug is not a refusal")
        with refusal_rolls_back() as refusal:
            pass
        assert not refusal and refusal.error is None
    assert ran == []
