"""`flask outbox send [--loop]`: the delivery worker."""

from __future__ import annotations

import time
from datetime import timedelta

import click
from flask.cli import AppGroup
from flask_babel import ngettext

from network.core.uow import unit_of_work
from network.outbox import services

cli = AppGroup("outbox", help="File d'envoi des courriels.")


@cli.command("send")
@click.option("--loop", is_flag=True, help="Keep running, as a worker.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between two passes.")
def send(loop: bool, interval: float) -> None:
    """Deliver due mail through SMTP, with retries and backoff."""
    while True:
        report = services.deliver_due()
        if report.skipped_reason:
            click.echo(f"Rien envoyé : {report.skipped_reason}.")
        elif report.sent or report.failed or not loop:
            click.echo(ngettext("%(num)d courriel envoyé", "%(num)d courriels envoyés",
                                report.sent) + ", " +
                       ngettext("%(num)d en échec (nouvel essai prévu).",
                                "%(num)d en échec (nouvel essai prévu).", report.failed))
        if not loop:
            return
        time.sleep(interval)


@cli.command("purge")
@click.option("--days", default=365, show_default=True, help="Keep sent mail this many days.")
def purge(days: int) -> None:
    """Delete sent mail older than --days (privacy: it holds personal data)."""
    with unit_of_work():
        removed = services.purge_sent(older_than=timedelta(days=days))
    click.echo(ngettext("%(num)d courriel envoyé supprimé.",
                        "%(num)d courriels envoyés supprimés.", removed))
