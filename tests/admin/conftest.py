"""Helpers for admin tests: an admin client and the form data of a procedure."""
import pytest


@pytest.fixture
def admin(login_as):
    return login_as("admin")



