"""`flask payments set-account`: the commune's receiving account, for scripted installs."""
import click

from ..extensions import db
from . import bp
from .banks import ACCOUNT_NUMBER_RE, account_holder, find_bank, save_account


@bp.cli.command("set-account")
@click.option("--bank", required=True, help="The bank's BIN (970405) or short name (Agribank)")
@click.option("--account", "number", required=True, help="The account number")
@click.option("--name", required=True, help="The account holder's name, as the bank prints it")
def set_account_command(bank, number, name):
    """Set the account villagers pay fees to by VietQR (the admin settings page edits the same)."""
    found = find_bank(bank)
    if found is None:
        raise click.ClickException(f"unknown bank '{bank}': give a BIN or short name from "
                                   "commune/payments/data/napas_banks.json")
    number = number.strip()
    if not ACCOUNT_NUMBER_RE.match(number):
        raise click.ClickException("the account number must be 4 to 19 letters or digits, without spaces")
    save_account(found, number, name)
    db.session.commit()
    click.echo(f"receiving account: {found.short_name} ({found.bin_code}) {number} {account_holder(name)}")
