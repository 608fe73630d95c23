"""WSGI entry point: `flask --app app ...` and waitress both load this."""
from commune import create_app

app = create_app()
