"""inbox views."""
from . import bp  # noqa: F401
