"""The test app keeps one app context for the whole test, so `g` outlives a request; real requests
never share it. Forget the loaded user at the start of each request so each one reads its own cookie."""
import pytest
from flask import g


@pytest.fixture(autouse=True)
def fresh_user_per_request(app):
    @app.before_request
    def _forget_loaded_user():
        g.pop("_login_user", None)
