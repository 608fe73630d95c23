"""Wiring of the sync: the workflow listener, the after-commit wake-up, the sender thread, the CLI.

- `on_transition(queue_for_event)`: records are added in the event's transaction.
- `after_commit` wakes the sender thread, only in a web request, when this transaction queued
  something and the sync is enabled (COMMUNE_SYNC_ENABLED or the admin's setting; off by default).
- The sender is one daemon thread (COMMUNE_SYNC_THREAD=0 keeps it off: cron only); it also wakes
  every POLL_SECONDS for records whose back-off passed.
- `flask --app app sync send` does one pass for cron; `flask --app app sync status` counts the queue.
"""
import logging
import os

import click
from flask import current_app, has_request_context
from flask.cli import AppGroup

from ..core.leased_queue import counts_report, listen_to_sessions, pass_report
from ..dossiers import workflow
from ..extensions import db
from ..web.background import BackgroundSender
from .connection import SECRET_ELSEWHERE, SECRET_UNREADABLE, connection
from .queue import QUEUED_KEY, forget_queued, queue_existing, queue_for_event
from .send import send_due
from .status import dossier_sync, queue_counts

log = logging.getLogger("commune.sync")
EXTENSION_KEY = "commune_sync"
WAKE_KEY = "commune_sync_wake"
POLL_SECONDS = 60

sync_cli = AppGroup("sync", help="Send and inspect the queue to the provincial / national one-stop system.")


def _enabled():
    """Is the sync on, and may this process run the sender thread (COMMUNE_SYNC_THREAD, on by default)?"""
    allowed = current_app.config.get("COMMUNE_SYNC_THREAD", os.environ.get("COMMUNE_SYNC_THREAD", "1"))
    if str(allowed).strip().lower() in ("0", "false", "no", "off"):
        return False
    try:
        return connection().enabled
    except Exception:  # noqa: BLE001 - after a commit, never break the request
        log.exception("sync: cannot read the settings")
        return False


def _before_commit(session):
    # after_commit cannot read the database: decide here whether the sender is to be woken.
    # A savepoint's release fires these hooks too (official_code's counter uses one): only the
    # outermost commit counts.
    if session.in_nested_transaction():
        return
    if session.info.get(QUEUED_KEY) and has_request_context():
        session.info[WAKE_KEY] = _enabled()


def _after_commit(session):
    if session.in_nested_transaction():
        return
    wake = session.info.pop(WAKE_KEY, False)
    queued = forget_queued(session)
    if not (queued and wake and has_request_context()):
        return
    sender = current_app.extensions.get(EXTENSION_KEY)
    if sender is not None:
        sender.poke()


def _after_rollback(session, previous_transaction=None):
    if previous_transaction is not None and previous_transaction.nested:
        return  # a savepoint rolled back: the transaction and what it queued go on
    session.info.pop(WAKE_KEY, None)
    forget_queued(session)


def wake_after_commit():
    """Ask for the sender to be woken once this request commits (the desk's retry)."""
    db.session.info.setdefault(QUEUED_KEY, {})[0] = None


def init_app(app):
    """Register the listener, the session hooks, the sender, the template global and the `sync` CLI group."""
    if queue_for_event not in workflow._listeners:
        workflow.on_transition(queue_for_event)
    listen_to_sessions(_before_commit, _after_commit, _after_rollback)
    app.extensions[EXTENSION_KEY] = sender = BackgroundSender(app, send_due, "sync", POLL_SECONDS)
    sender.checked = False  # the first request looks whether the sync is on
    app.cli.add_command(sync_cli)
    app.jinja_env.globals["dossier_sync"] = dossier_sync

    @app.before_request
    def _start_sender():
        # Once per process, at the first request: records left from before a restart go out too.
        sender = app.extensions.get(EXTENSION_KEY)
        if sender is not None and not sender.checked:
            sender.checked = True
            if _enabled():
                sender.poke()


@sync_cli.command("send")
def send_command():
    """Send every record that is due (for cron when the background sender is off)."""
    conn = connection()
    if not conn.enabled:
        click.echo("sync: off (COMMUNE_SYNC_ENABLED or the admin's setting turns it on)")
        return
    if conn.secret_state in (SECRET_UNREADABLE, SECRET_ELSEWHERE):
        click.echo("sync: the saved secret cannot be used (SECRET_KEY changed, or it was typed for other "
                   "addresses): type it again on the admin page 'Đồng bộ hồ sơ'; the records wait")
    click.echo(pass_report("sync", send_due()))


@sync_cli.command("queue-existing")
def queue_existing_command():
    """Queue the dossiers the province has never heard of (received before the sync was on)."""
    count = queue_existing()
    db.session.commit()
    click.echo(f"sync: {count} earlier dossiers queued with their history")


@sync_cli.command("status")
def status_command():
    """Count the queue by status."""
    click.echo(counts_report("sync", queue_counts()))
