"""`flask --app network events badges EVENT_ID -o FILE.pdf [--non-imprimes] [--organisation …]
[--role …] [--inscription ID]`: the same choice of badges as the staff page, from a shell."""

from __future__ import annotations

import click
from flask_babel import gettext as _
from flask_babel import ngettext

from network.core import uow
from network.core.auth import System
from network.core.errors import DomainError
from network.events import participants, queries
from network.events.badges import ROLES


@click.command("badges")
@click.argument("event_id", type=int)
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False),
              help="Fichier PDF à écrire.")
@click.option("--non-imprimes", "only_unprinted", is_flag=True,
              help="Seulement les badges pas encore imprimés.")
@click.option("--organisation", default="", help="Seulement cette organisation.")
@click.option("--role", default="", type=click.Choice(["", *ROLES]),
              help="Seulement ce rôle.")
@click.option("--inscription", "registration_id", type=int, default=None,
              help="Une seule personne (numéro d'inscription).")
@uow.command
def badges_command(event_id: int, output: str, only_unprinted: bool, organisation: str,
                   role: str, registration_id: int | None) -> None:
    """Badges A6 (quatre par feuille A4) d'un événement, notés comme imprimés."""
    event = queries.get_event(event_id)
    if event is None:
        raise click.ClickException(_("Aucun événement n° %(id)s.", id=event_id))
    choice = participants.PrintChoice(only_unprinted=only_unprinted, organisation=organisation,
                                      role=role, registration_id=registration_id)
    try:
        pdf, count = participants.print_badges(event, choice, acting=System("badges-cli"))
    except DomainError as err:
        raise click.ClickException(err.message) from err
    with open(output, "wb") as f:
        f.write(pdf)
    click.echo(ngettext("%(num)d badge écrit dans %(file)s.", "%(num)d badges écrits dans "
                        "%(file)s.", count, file=output))
