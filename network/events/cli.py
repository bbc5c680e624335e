"""`flask --app network events …`: the scheduled runs (reminders, lapsed holds and offers)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from network.events import services
from network.events.door_cli import badges_command  # door:

cli = AppGroup("events", help="Événements : rappels, places proposées expirées.")


cli.add_command(badges_command)  # door:


@cli.command("remind")
def remind() -> None:
    """Queue the day-before reminder for events starting soon (each person once)."""
    n = services.send_reminders()
    click.echo(f"{n} rappel(s) mis dans la boîte d'envoi.")


@cli.command("expire-offers")
def expire_offers() -> None:
    """Release lapsed guest holds and waitlist offers; the seats go to the next people."""
    n = services.release_lapsed()
    click.echo(f"{n} place(s) libérée(s) ou reproposée(s).")
