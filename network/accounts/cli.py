"""`flask users create-staff EMAIL`."""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import AppGroup

from network.accounts import services
from network.core.errors import DomainError

cli = AppGroup("users", help="Comptes.")


@cli.command("create-staff")
@click.argument("email")
@click.option("--name", default=None, help="Name of a new account.")
@click.option("--password", default=None, help="Password of a new account (prompted if needed).")
def create_staff(email: str, name: str | None, password: str | None) -> None:
    """Create a staff account, or promote an existing one."""
    if services.get_user_by_email(email) is None and password is None:
        password = click.prompt("Mot de passe", hide_input=True, confirmation_prompt=True)
    try:
        user = services.create_staff(email, name=name, password=password)
    except DomainError as err:
        raise click.ClickException(err.message) from err
    click.echo(f"{user.email} fait partie de l'équipe (staff).")


@cli.command("purge-inactive")
@click.option("--years", default=3, show_default=True, help="Unused for this many years.")
def purge_inactive(years: int) -> None:
    """Delete accounts nobody has used for --years (privacy page), staff excepted."""
    removed = services.purge_inactive(older_than=timedelta(days=365 * years))
    click.echo(f"{len(removed)} compte(s) inactif(s) supprimé(s).")
