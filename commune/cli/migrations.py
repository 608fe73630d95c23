"""`flask db …` (Flask-Migrate, Alembic) loaded only when a command needs it.

Alembic and Mako cost a process about 10 MB that the web server never uses, so the app is
built without them: `flask db` is a stand-in group that imports Flask-Migrate, registers it on
the app and hands over to its commands when one runs; `flask setup` calls `upgrade_database()`.
The migrations' env.py reads `current_app.extensions["migrate"]` as Flask-Migrate sets it.
"""
import logging
import os

import click
from flask import current_app, g
from flask.cli import ScriptInfo, with_appcontext

from ..extensions import db


def init_migrate(app):
    """Register Flask-Migrate on `app` (once); returns its module."""
    quiet = logging.getLogger("alembic")  # its imports log each plugin at INFO: not worth a line
    level, quiet.level = quiet.level, logging.WARNING
    try:
        import flask_migrate  # alembic: only for the commands that migrate
        import flask_migrate.cli
    finally:
        quiet.setLevel(level)

    if "migrate" not in app.extensions:
        directory = os.path.abspath(os.path.join(app.root_path, "..", "migrations"))
        flask_migrate.Migrate().init_app(app, db, directory=directory, render_as_batch=True, compare_type=True)
        app.cli.add_command(db_group)  # init_app put its own group there: keep the stand-in
    return flask_migrate


def upgrade_database():
    """`flask db upgrade` from code (the app context's app), as `flask setup` runs it."""
    init_migrate(current_app).upgrade()


class LazyMigrateGroup(click.Group):
    """Flask-Migrate's `db` group, imported the first time one of its commands is asked for."""

    def _group(self, ctx):
        return init_migrate(ctx.ensure_object(ScriptInfo).load_app()).cli.db

    def list_commands(self, ctx):
        return self._group(ctx).list_commands(ctx)

    def get_command(self, ctx, name):
        return self._group(ctx).get_command(ctx, name)


@click.group("db", cls=LazyMigrateGroup)
@click.option("-d", "--directory", default=None, help='Migration script directory (default is "migrations")')
@click.option("-x", "--x-arg", multiple=True, help="Additional arguments consumed by custom env.py scripts")
@with_appcontext
def db_group(directory, x_arg):
    """Database migrations (Flask-Migrate, Alembic)."""
    g.directory = directory  # as Flask-Migrate's own group does: its commands read them
    g.x_arg = x_arg
