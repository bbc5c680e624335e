"""`flask users create-staff EMAIL`."""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import AppGroup
from flask_babel import ngettext

from network.accounts import second_factor, services
from network.core.auth import System
from network.core.errors import DomainError
from network.core.uow import unit_of_work

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
        with unit_of_work():
            user = services.create_staff(email, name=name, password=password,
                                         acting=System("users create-staff"))
    except DomainError as err:
        messages = [m for ms in getattr(err, "field_errors", {}).values() for m in ms]
        raise click.ClickException(" ".join(messages) or err.message) from err
    click.echo(f"{user.email} fait partie de l'équipe (staff). À sa première connexion, "
               "la double authentification lui sera demandée.")


@cli.command("purge-inactive")
@click.option("--years", default=3, show_default=True, help="Unused for this many years.")
def purge_inactive(years: int) -> None:
    """Delete accounts nobody has used for --years (privacy page), staff excepted."""
    with unit_of_work():
        removed = services.purge_inactive(older_than=timedelta(days=365 * years),
                                          acting=System("users purge-inactive"))
    click.echo(ngettext("%(num)d compte inactif supprimé.", "%(num)d comptes inactifs supprimés.",
                        len(removed)))


@cli.command("totp-code")
@click.argument("email")
def totp_code(email: str) -> None:
    """Development only: print the current second-factor code of an enrolled account (the
    demo staff account), for a machine without an authenticator app."""
    from flask import current_app

    if current_app.config.get("ENV_NAME") != "development":
        raise click.ClickException("Réservé au développement (NETWORK_ENV=development).")
    user = services.get_user_by_email(email)
    if user is None or not user.has_second_factor:
        raise click.ClickException("Aucun compte avec double authentification à cette adresse.")
    click.echo(second_factor.code_at(user.totp_secret, second_factor.current_step()))
