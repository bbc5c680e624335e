"""`flask --app network esspresso export|schedule SESSION_ID`: the organiser's button, as a
command (same services, one unit of work)."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import AppGroup
from flask_babel import ngettext

from network.core.auth import System
from network.core.errors import DomainError
from network.core.uow import unit_of_work
from network.esspresso import planning
from network.meetings.rules import get_session

cli = AppGroup("esspresso", help="Sessions ESSpresso : export et planification.")


@cli.command("export")
@click.argument("session_id", type=int)
@click.option("--out", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Fichier de sortie (par défaut : la sortie standard).")
def export(session_id: int, out: str | None) -> None:
    """Write the session's scheduling instance (shared/esspresso/FORMAT.md)."""
    try:
        data = planning.export_instance(get_session(session_id))
    except DomainError as err:
        raise click.ClickException(err.message) from err
    text = json.dumps(data, ensure_ascii=False, indent=1)
    if out:
        with open(out, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
    else:
        sys.stdout.write(text + "\n")


@cli.command("schedule")
@click.argument("session_id", type=int)
@click.option("--publish", is_flag=True, help="Publier aussitôt et prévenir les participants.")
@click.option("--time-limit", type=float, default=20.0, show_default=True,
              help="Secondes au plus pour le planificateur.")
def schedule(session_id: int, publish: bool, time_limit: float) -> None:
    """Run the scheduler (as the organiser's button does); with --publish, publish it."""
    acting = System("esspresso-schedule")
    try:
        with unit_of_work():
            session = get_session(session_id)
            run = planning.run_scheduler(session, acting=acting, time_limit=time_limit)
            f = run.figures
            click.echo(f"Proposition {run.id} : {f['meetings']} rendez-vous ({f['kept']} "
                       f"fixés, {f['new']} nouveaux), valeur {f['value']}, "
                       f"{run.seconds:.2f} s ; souhaits satisfaits p3 "
                       f"{f['wishes']['3']['met']}/{f['wishes']['3']['asked']}, p2 "
                       f"{f['wishes']['2']['met']}/{f['wishes']['2']['asked']}, p1 "
                       f"{f['wishes']['1']['met']}/{f['wishes']['1']['asked']} ; tables vides "
                       f"{f['empty_tables']} ; temps morts {f['idle_gaps']}.")
            if publish:
                told = planning.publish(session, run.id, acting=acting)
                click.echo(ngettext("Agenda publié : %(num)d participant prévenu.",
                                    "Agenda publié : %(num)d participants prévenus.", told))
    except DomainError as err:
        raise click.ClickException(err.message) from err


@cli.command("remind-outcomes")
def remind_outcomes() -> None:
    """A week after each session, remind once those who did not report their meetings."""
    from network.esspresso import outcomes

    with unit_of_work():
        told = outcomes.remind()
    click.echo(ngettext("Rappel de bilan envoyé : %(num)d participant.",
                        "Rappels de bilan envoyés : %(num)d participants.", told))
