"""Fixtures for the submission journey: procedures with and without optional steps, a journey walker."""

import pytest

from commune.extensions import db
from tests.factories import make_procedure
from tests.journeys import QUESTIONS


@pytest.fixture
def full_procedure(app):
    """A birth-like procedure with questions, two required documents and one optional, return by post."""
    procedure = make_procedure(name="Đăng ký khai sinh (thử)", form_fields=QUESTIONS,
                               documents=("Tờ khai", "Giấy chứng sinh", "Văn bản ủy quyền"), fee_vnd=8000)
    procedure.documents[2].required = False
    db.session.commit()
    return procedure


@pytest.fixture
def plain_procedure(app):
    """A procedure without questions or postal return: the journey skips those steps."""
    procedure = make_procedure(name="Chứng thực (thử)", documents=("Bản chính",), postal=False)
    db.session.commit()
    return procedure






