"""Inbox fixtures: a procedure, dossiers in a given state, a logged-in staff member."""

import pytest

from commune.extensions import db
from tests.factories import make_dossier, make_procedure


@pytest.fixture
def procedure(app):
    procedure = make_procedure(name="Đăng ký khai sinh thử", processing_days=3,
                               documents=("Tờ khai đăng ký khai sinh", "Giấy chứng sinh"))
    db.session.commit()
    return procedure


@pytest.fixture
def dossier_in(app, procedure):
    """dossier_in('received', **values) -> a committed dossier in that state."""

    def make(status="submitted", **values):
        dossier = make_dossier(procedure, status=status, **values)
        db.session.commit()
        return dossier

    return make




