"""`flask --app app drafts purge`: delete drafts past their expiry, photos included, and expired partial uploads."""
import click

from ..files import resumable
from . import bp
from .services import purge_expired


@bp.cli.command("purge")
def purge_command():
    """Delete expired drafts and their files, and resumable uploads left unfinished past their expiry."""
    count = purge_expired()
    partial = resumable.purge_expired()
    click.echo(f"Purged {count} expired draft(s) and {partial} expired partial upload(s).")
