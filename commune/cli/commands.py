"""Flask CLI: `flask --app app catalog load`, `users create`, `setup`, `serve`, `demo`."""
import sys

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup
from waitress import serve

from ..accounts.models import User
from ..catalog.loader import CatalogError, catalog_is_empty, load_catalog, read_catalog
from ..catalog.referrals import ReferralError, load_referrals, read_referrals, referrals_are_empty
from ..core.roles import ROLES
from ..dossiers.retention import apply_retention, retention_years
from ..extensions import db
from ..files.decode_slots import tune_malloc
from ..files.storage import sweep_storage
from ..inbox.ready_texts import load_defaults as load_ready_texts
from ..inbox.ready_texts import ready_texts_are_empty
from ..web.proxy import serving_problem
from .backup import backup_command
from .demo import fill_demo
from .migrations import db_group, upgrade_database
from .restore import restore_command
from .waitress_settings import raise_open_files, waitress_options

catalog_cli = AppGroup("catalog", help="Load and inspect the procedure catalog.")
users_cli = AppGroup("users", help="Manage staff accounts.")
retention_cli = AppGroup("retention", help="Erase finished dossiers kept past their retention time.")


@catalog_cli.command("load")
@click.argument("path", required=False)
def catalog_load(path):
    """Load or update the catalog from JSON (default: the catalog shipped with the app)."""

    try:
        data = read_catalog(path)
        stats = load_catalog(data)
        db.session.commit()
    except CatalogError as error:
        db.session.rollback()
        raise click.ClickException(f"catalog not loaded: {error}") from error
    click.echo(
        "catalog: {procedures_added} procedures added, {procedures_updated} updated; "
        "{fields_added} fields added, {fields_updated} updated".format(**stats)
    )


@catalog_cli.command("referrals")
@click.argument("path", required=False)
def catalog_referrals(path):
    """Add the needs handled by other offices (default: the list shipped with the app); entries there stay."""

    try:
        added = load_referrals(read_referrals(path))
        db.session.commit()
    except ReferralError as error:
        db.session.rollback()
        raise click.ClickException(f"referrals not loaded: {error}") from error
    click.echo(f"referrals: {added} added")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", required=True, help="admin, clerk, officer, leader or postal")
@click.option("--full-name", default="", help="Name shown to colleagues and on printed slips")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input")
def users_create(username, role, full_name, password_stdin):
    """Create a staff account; the password comes from a prompt or standard input."""

    if role not in ROLES:
        raise click.ClickException(f"unknown role '{role}'; choose one of {', '.join(ROLES)}")
    if db.session.scalar(sa.select(User).filter_by(username=username)):
        raise click.ClickException(f"user '{username}' already exists")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 8:
        raise click.ClickException("the password must have at least 8 characters")
    user = User(username=username, role=role, full_name=full_name or username)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"created {role} '{username}'")


@click.command("setup")
def setup_command():
    """Apply migrations and load the default catalog if the database has none."""

    upgrade_database()
    if catalog_is_empty():
        stats = load_catalog(read_catalog())
        db.session.commit()
        click.echo(f"catalog loaded: {stats['procedures_added']} procedures")
    else:
        click.echo("catalog present: kept as it is")
    if referrals_are_empty():  # a new database, or one from before the list existed
        added = load_referrals(read_referrals())
        db.session.commit()
        click.echo(f"referrals loaded: {added} needs handled by other offices")
    if ready_texts_are_empty():  # the default supplement and refusal texts (commune-wide)
        added = load_ready_texts()
        db.session.commit()
        click.echo(f"ready texts loaded: {added} supplement and refusal texts")
    if not (current_app.config.get("COMMUNE_PUBLIC_URL") or "").strip():
        # Receipts, QR codes, e-mails and SMS carry absolute links: without the public address they
        # would point at this machine's loopback, which no villager's phone can open.
        click.secho("WARNING: COMMUNE_PUBLIC_URL is not set. Receipts, QR codes and notices will link to "
                    "http://127.0.0.1 until it is: set it to the address villagers type "
                    "(e.g. https://motcua.xa.gov.vn or http://192.168.1.10:5000).", fg="yellow", err=True)


@click.command("serve")
def serve_command():
    """Serve the site with waitress (one process, several threads)."""


    host = current_app.config["COMMUNE_HOST"]
    port = current_app.config["COMMUNE_PORT"]
    problem = serving_problem(host, current_app.config.get("COMMUNE_PUBLIC_URL"))
    if problem:
        raise click.ClickException(problem)

    swept = sweep_storage()  # what a crash (kill -9, power cut) left: temp files, unreferenced files
    if swept and (swept["temp"] or swept["orphans"]):
        click.echo("storage: removed {temp} temp file(s), {orphans} unreferenced file(s)".format(**swept))
    click.echo(f"Một Cửa Xã: http://{host}:{port}/")

    tune_malloc()  # before the worker threads start: big pixel buffers go back to the system
    options = waitress_options(current_app.config)
    # Waitress would strip X-Forwarded-For before the app sees it; commune/core/proxy.py decides instead
    # (believed only from COMMUNE_TRUSTED_PROXIES, removed otherwise).
    options["clear_untrusted_proxy_headers"] = False
    raise_open_files(options["connection_limit"])
    serve(current_app._get_current_object(), **options)


@click.command("demo")
@click.option("--dossiers", default=300, show_default=True, help="How many demo dossiers to make")
def demo_command(dossiers):
    """Fill a demo commune: settings, one account per role (passwords printed once), dossiers."""

    for line in fill_demo(dossiers):
        click.echo(line)


@retention_cli.command("apply")
@click.option("--dry-run", is_flag=True, help="Only count the dossiers that would be erased")
def retention_apply(dry_run):
    """Erase the photos and personal data of dossiers finished longer ago than the retention time."""

    count, before = apply_retention(dry_run=dry_run)
    verb = "would erase" if dry_run else "erased"
    click.echo(f"retention: {verb} {count} dossier(s) finished before {before:%Y-%m-%d} "
               f"(kept {retention_years()} years)")


def register(app):
    app.cli.add_command(db_group)
    app.cli.add_command(catalog_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(retention_cli)
    app.cli.add_command(setup_command)
    app.cli.add_command(serve_command)
    app.cli.add_command(demo_command)

    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
