"""Wiring of the outbox: the workflow listener, the after-commit wake-up, the sender thread, the CLI.

- `on_transition(queue_for_event)`: notices are added in the event's transaction.
- SQLAlchemy `before_commit` refreshes their text; `after_commit` wakes the
  sender thread (only in a web request, when this transaction queued something
  and COMMUNE_SEND_NOTICES is on); `after_rollback` forgets them: nothing is sent.
- The sender is one daemon thread in the single waitress process. It also wakes
  every POLL_SECONDS to retry notices whose backoff has passed.
- `flask --app app notices send` does one pass for cron (COMMUNE_SEND_NOTICES=0).
"""
import logging

import click
from flask import current_app, has_request_context
from flask.cli import AppGroup

from ..core.leased_queue import counts_report, listen_to_sessions, pass_report
from ..dossiers import workflow
from ..web.background import BackgroundSender
from .outbox import QUEUED_KEY, dossier_notices, forget_queued, queue_for_event, refresh_queued
from .send import outbox_counts, send_due

log = logging.getLogger("commune.notices")
EXTENSION_KEY = "commune_notices"
POLL_SECONDS = 60

notices_cli = AppGroup("notices", help="Send and inspect the SMS/e-mail outbox.")


def _before_commit(session):
    if session.in_nested_transaction():  # a savepoint's release is not the commit
        return
    if session.info.get(QUEUED_KEY):
        refresh_queued(session)


def _after_commit(session):
    if session.in_nested_transaction():  # SQLAlchemy fires this on a savepoint's release too
        return
    queued = forget_queued(session)
    # Only a web request wakes the sender: a CLI process may exit mid-send; the server's
    # sender (every POLL_SECONDS) or the cron command picks those notices up.
    if not queued or not has_request_context():
        return
    app = current_app._get_current_object()
    sender = app.extensions.get(EXTENSION_KEY)
    if sender is not None and app.config.get("COMMUNE_SEND_NOTICES"):
        sender.poke()


def _after_rollback(session, *_):
    forget_queued(session)


def init_app(app):
    """Register the listener, the session hooks, the sender and the `notices` CLI group."""
    if queue_for_event not in workflow._listeners:
        workflow.on_transition(queue_for_event)
    listen_to_sessions(_before_commit, _after_commit, _after_rollback)
    app.extensions[EXTENSION_KEY] = BackgroundSender(app, send_due, "notices", POLL_SECONDS)
    app.cli.add_command(notices_cli)
    app.jinja_env.globals["dossier_notices"] = dossier_notices

    @app.before_request
    def _start_sender():
        # Once the server answers its first request, retries left from before a restart go out too.
        sender = app.extensions.get(EXTENSION_KEY)
        if sender is not None and app.config.get("COMMUNE_SEND_NOTICES") and sender.thread is None:
            sender.poke()


@notices_cli.command("send")
def send_command():
    """Send every notice that is due (for cron when the background sender is off)."""
    click.echo(pass_report("notices", send_due()))


@notices_cli.command("status")
def status_command():
    """Count the outbox by status."""
    click.echo(counts_report("notices", outbox_counts()))
