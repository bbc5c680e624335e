"""`flask demo load`: demo data for `make run`, safe to run again (idempotent)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from network.accounts import second_factor
from network.accounts import services as accounts
from network.core.auth import System
from network.core.time import utcnow
from network.core.uow import unit_of_work
from network.extensions import db

cli = AppGroup("demo", help="Données de démonstration.")

DEMO_STAFF_EMAIL = "equipe@example.org"
DEMO_PASSWORD = "demo-Moselle-ESS-2026"


def load_demo() -> list[str]:
    """Create the demo accounts, then let each domain add its own demo data."""
    from network.admin import demo as history

    done = []
    mail_before = history.last_mail_id()
    staff = accounts.get_user_by_email(DEMO_STAFF_EMAIL)
    if staff is None:
        staff = accounts.create_staff(DEMO_STAFF_EMAIL, name="Camille Chargée de mission",
                                      password=DEMO_PASSWORD, acting=System("demo load"))
        second_factor.demo_enrol(staff, second_factor.new_secret())
        done.append(f"compte équipe {DEMO_STAFF_EMAIL} (clé TOTP {staff.totp_secret})")
    member = accounts.get_user_by_email("membre@example.org")
    if member is None:
        member = accounts.sign_up(name="Dominique Membre", email="membre@example.org",
                                  password=DEMO_PASSWORD)
        member.email_verified_at = utcnow()
        db.session.flush()
        done.append("compte membre membre@example.org")
    from network.directory import demo as directory
    from network.esspresso import demo as esspresso
    from network.events import demo as events
    from network.offers import demo as offers

    # In this order: the directory's demo seeds the territories that the events use;
    # ESSpresso's session goes on the events' ESSpresso event, with the directory's suppliers;
    # the back office's history (past events, check-ins) comes last.
    for module in (directory, events, esspresso, offers, history):
        done.extend(module.load(staff=staff, member=member))
    dropped = history.discard_unsent_mail(mail_before, keep_to=member.email)
    if dropped:
        done.append(f"{dropped} courriels de chargement retirés de la file (jamais envoyés)")
    return done


@cli.command("load")
def load() -> None:
    """Load demo data once; running it again adds nothing."""
    with unit_of_work():
        done = load_demo()
    click.echo("Ajouté : " + ", ".join(done) if done else "Données de démonstration déjà là.")
    click.echo(f"Connexion équipe : {DEMO_STAFF_EMAIL} / {DEMO_PASSWORD}, puis le code de "
               "double authentification : flask --app network users totp-code "
               f"{DEMO_STAFF_EMAIL} (ou la clé TOTP ci-dessus dans une application)")
