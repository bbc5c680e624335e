"""`flask users create-staff EMAIL`."""

from __future__ import annotations

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
