"""`flask --app app drafts purge`: delete drafts past their expiry, photos included."""
import click

from . import bp
from .services import purge_expired


@bp.cli.command("purge")
def purge_command():
    """Delete expired drafts and their files."""
    count = purge_expired()
    click.echo(f"Purged {count} expired draft(s).")
