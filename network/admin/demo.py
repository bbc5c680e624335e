"""Demo history for the charts: past events across the Moselle with their registrations,
waitlists and check-ins over the last months, members joining over time, and no mail left
waiting that nobody would have sent (idempotent: past events are found by title).

Runs after the directory and events demos. Registrations go through the events services
with the clock set in the past (`now=`), without mail; check-ins through the door's service.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select

from network.core.auth import System
from network.core.time import PARIS, utcnow
from network.directory.models import Structure, StructureStatus
from network.events import checkin, registration, territories
from network.events.models import Event, EventKind, EventStatus, RegistrationStatus
from network.events.staff import EventData, create_event
from network.extensions import db
from network.outbox.models import OutboxMessage, OutboxStatus

FIRST_NAMES = ("Camille", "Dominique", "Claude", "Sacha", "Alix", "Marie", "Thomas", "Léa",
               "Nicolas", "Sophie", "Julien", "Émilie", "Karim", "Inès", "Lucas", "Chloé",
               "Mehdi", "Laura", "Hugo", "Sarah", "Mathieu", "Aurélie", "Yann", "Nadia")
LAST_NAMES = ("Muller", "Schmitt", "Klein", "Weber", "Becker", "Hoffmann", "Meyer",
              "Schneider", "Martin", "Bernard", "Dubois", "Lambert", "Fischer", "Wagner",
              "Kieffer", "Zimmermann", "Bour", "Thiel", "Jung", "Lang")

# (months ago, kind, title, territory, venue, address, capacity, registrations, came share)
PAST_EVENTS = [
    (10, EventKind.BREAKFAST, "Petit-déjeuner territorial de Thionville", "thionville",
     "Espace Bel Air", "2 rue du Bel Air, 57100 Thionville", 40, 34, .82),
    (9, EventKind.EVENING, "Soirée des nouveaux membres", "metz", "Hôtel du Département",
     "1 rue du Pont Moreau, 57000 Metz", 120, 88, .74),
    (8, EventKind.BREAKFAST, "Petit-déjeuner territorial de Sarreguemines",
     "sarreguemines-bitche", "Hôtel de Ville, salle des mariages",
     "Place de la Mairie, 57200 Sarreguemines", 30, 36, .8),
    (6, EventKind.FORUM, "Forum emploi-bénévolat de printemps", "forbach-boulay",
     "Le Burghof", "15 rue du Parc, 57600 Forbach", 300, 210, .68),
    (5, EventKind.BREAKFAST, "Petit-déjeuner territorial de Château-Salins",
     "sarrebourg-chateau-salins", "Salle polyvalente", "Rue de Nancy, 57170 Château-Salins",
     30, 22, .86),
    (3, EventKind.ESSPRESSO, "ESSpresso de la rentrée : achats responsables", "metz",
     "Hôtel du Département", "1 rue du Pont Moreau, 57000 Metz", 80, 74, .9),
    (2, EventKind.BREAKFAST, "Petit-déjeuner territorial de Boulay", "forbach-boulay",
     "Maison des associations", "Rue de Metz, 57220 Boulay-Moselle", 35, 41, .77),
    (1, EventKind.EVENING, "Mois de l'ESS : soirée d'ouverture à Thionville", "thionville",
     "Puzzle, tiers-lieu culturel", "Rue du Manège, 57100 Thionville", 90, 97, .71),
]


def _months_ago(today: date, months: int, day: int = 12) -> date:
    y, m = today.year, today.month - months
    while m <= 0:
        y, m = y - 1, m + 12
    return date(y, m, min(day, 28))


def _at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=PARIS)


def _people(rng: random.Random, n: int, orgs: list[tuple[str, str]]) -> list[
        registration.Answers]:
    out, seen = [], set()
    while len(out) < n:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        email = f"{first}.{last}.{rng.randint(1, 999)}@exemple.org".lower()
        for a, b in (("é", "e"), ("è", "e"), ("ë", "e"), ("ï", "i")):
            email = email.replace(a, b)
        if email in seen:
            continue
        seen.add(email)
        org_name, org_kind = rng.choice(orgs) if orgs else ("", "")
        out.append(registration.Answers(name=f"{first} {last}", email=email,
                                        organisation_name=org_name,
                                        organisation_kind=org_kind,
                                        consents_to_list=rng.random() < .7))
    return out


def load_history(*, staff: Any, today: date | None = None) -> list[str]:
    today = today or utcnow().astimezone(PARIS).date()
    rng = random.Random(1957)
    done: list[str] = []
    orgs = [(s.name, "structure") for s in db.session.scalars(select(Structure))]
    orgs += [("Ville de Metz", "buyer"), ("Communauté d'agglomération Portes de France",
                                          "buyer"), ("Batigère", "buyer")]
    system = System("demo")
    for months, kind, title, code, venue, address, capacity, wanted, share in PAST_EVENTS:
        if db.session.scalar(select(Event.id).where(Event.title == title)) is not None:
            continue
        day = _months_ago(today, months)
        hour = 8 if kind == EventKind.BREAKFAST else 17 if kind == EventKind.EVENING else 9
        length = 2 if kind == EventKind.BREAKFAST else 3 if kind == EventKind.EVENING else 7
        event = create_event(EventData(
            kind=kind, title=title, start_at=_at(day, hour), end_at=_at(day, hour + length),
            territory_id=territories.by_code(code).id, venue_name=venue,
            venue_address=address, organiser="Département de la Moselle",
            capacity=capacity, subtitle="Événement passé (démonstration)"), acting=staff)
        event.status = EventStatus.PUBLISHED
        db.session.flush()
        opened = _at(day, 9) - timedelta(days=30)
        regs = []
        for i, answers in enumerate(_people(rng, wanted, orgs)):
            when = opened + timedelta(hours=int(i * 28 * 24 / max(wanted, 1)))
            outcome = registration.register(event, answers, acting=system, now=when,
                                            send_mail=False)
            outcome.registration.created_at = when
            regs.append(outcome.registration)
        db.session.flush()
        confirmed = [r for r in regs if r.status == RegistrationStatus.CONFIRMED]
        for i, reg in enumerate(confirmed):
            if rng.random() < share:
                checkin.check_in(event, reg.badge_code, acting=staff,
                                 now=_at(day, hour) + timedelta(minutes=i % 40))
        done.append(f"historique « {title} » ({len(regs)} inscriptions)")
    if done:
        done.append(spread_members(today, rng))
    return done


def spread_members(today: date, rng: random.Random) -> str:
    """The demo structures joined over the last eighteen months, not all on one day."""
    members = list(db.session.scalars(select(Structure).where(
        Structure.status == StructureStatus.APPROVED).order_by(Structure.id)))
    for i, s in enumerate(members):
        months = 18 - int(18 * i / max(len(members), 1))
        day = _months_ago(today, months, day=rng.randint(1, 28))
        s.approved_at = _at(day, 11)
        s.created_at = min(s.created_at, s.approved_at - timedelta(days=5))
    db.session.flush()
    return f"adhésions étalées sur 18 mois ({len(members)} structures)"


#: Mail the demo's own loading writes but nobody would have sent: structures that "already
#: existed" announced to the staff and to their owners, and the verification link of the demo
#: member whose address the demo marks verified.


def discard_unsent_mail(after_id: int, keep_to: str | None = None) -> int:
    """Drop the mail the demo's loading wrote after `after_id`: nobody would have sent it
    (structures approved, registrations, bookings, answers made up at once). Only the demo
    member's own registration confirmation stays, so "Mon compte" has a badge mail to show."""
    keep = (OutboxMessage.kind == "event_confirmed") & (OutboxMessage.to_address == keep_to)
    result = db.session.execute(delete(OutboxMessage).where(
        OutboxMessage.id > after_id, OutboxMessage.status == OutboxStatus.PENDING, ~keep))
    return result.rowcount or 0


def last_mail_id() -> int:
    return db.session.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id.desc())
                             .limit(1)) or 0


def load(*, staff, member) -> list[str]:
    return load_history(staff=staff)
