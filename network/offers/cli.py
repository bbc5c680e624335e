"""`flask --app network offers …`: the scheduled runs (expiry, CV retention)."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from flask_babel import ngettext

from network.core.uow import unit_of_work
from network.offers import answers, offers

cli = AppGroup("offers", help="Offres d'emploi et de bénévolat : expiration, purge des CV.")


@cli.command("expire")
def expire() -> None:
    """Published offers past their closing date become expired."""
    with unit_of_work():
        n = offers.expire_offers()
    click.echo(ngettext("%(num)s offre expirée.", "%(num)s offres expirées.", n))


@cli.command("purge")
@click.option("--days", type=click.IntRange(min=1, max=3650), default=None,
              help="Retention in days (default: OFFERS_CV_RETENTION_DAYS).")
def purge(days: int | None) -> None:
    """Delete CVs older than the retention period, and guest answers never confirmed."""
    with unit_of_work():
        cvs = answers.purge_cvs(days=days)
        dropped = answers.purge_unconfirmed()
    click.echo(ngettext("%(num)s CV supprimé.", "%(num)s CV supprimés.", cvs) + " "
               + ngettext("%(num)s réponse jamais confirmée supprimée.",
                          "%(num)s réponses jamais confirmées supprimées.", dropped))
