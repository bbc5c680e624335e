"""`flask --app network events …`: the scheduled runs (reminders, lapsed holds and offers,
personal data past its retention). Each command is one unit of work, acting as the System."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from flask_babel import ngettext

from network.core.auth import System
from network.core.uow import unit_of_work
from network.events import guests, notices, waitlist
from network.events.door_cli import badges_command

cli = AppGroup("events", help="Événements : rappels, places proposées expirées, données "
                              "personnelles anciennes.")


cli.add_command(badges_command)


@cli.command("remind")
def remind() -> None:
    """Queue the day-before reminder for events starting soon (each person once)."""
    with unit_of_work():
        n = notices.send_reminders(acting=System("events remind"))
    click.echo(ngettext("%(num)d rappel mis dans la boîte d'envoi.",
                        "%(num)d rappels mis dans la boîte d'envoi.", n))


@cli.command("expire-offers")
def expire_offers() -> None:
    """Release lapsed guest holds and waitlist offers; the seats go to the next people."""
    with unit_of_work():
        n = waitlist.release_lapsed(acting=System("events expire-offers"))
    click.echo(ngettext("%(num)d place libérée ou reproposée.",
                        "%(num)d places libérées ou reproposées.", n))


@cli.command("purge-personal-data")
def purge_personal_data() -> None:
    """Erase health answers and anonymise guests EVENTS_RETENTION_DAYS after each event."""
    with unit_of_work():
        n = guests.purge_personal_data(acting=System("events purge-personal-data"))
    click.echo(ngettext("%(num)d inscription nettoyée.", "%(num)d inscriptions nettoyées.", n))
