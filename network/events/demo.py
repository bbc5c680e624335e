"""Demo events: the 2 December evening closing the Mois de l'ESS, a forum and two breakfasts.

Where the hall is not chosen yet, only the town is given: the public pages show what is
known and no placeholder ("Lieu à préciser" is not a place)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from network.core.time import PARIS, utcnow
from network.events import door_demo, registration, territories
from network.events.models import Event, EventKind, EventStatus
from network.events.staff import EventData, create_event
from network.extensions import db

INNOVATION_TITLE = "L'Innovation Sociale, tous concernés !"


def next_december_2(today: date) -> date:
    this_year = date(today.year, 12, 2)
    return this_year if this_year >= today else date(today.year + 1, 12, 2)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


def place(code: str) -> int:
    """The id of a territory of the directory's reference list (seeded before events)."""
    territory = territories.by_code(code)
    if territory is None:
        raise LookupError(f"territoire « {code} » absent : chargez d'abord l'annuaire")
    return territory.id


def demo_events(today: date) -> list[EventData]:
    dec2 = next_december_2(today)
    forum_day = today + timedelta(days=45)
    b1, b2 = today + timedelta(days=20), today + timedelta(days=34)
    esspresso_day = today + timedelta(days=62)
    return [
        EventData(
            kind=EventKind.EVENING, title=INNOVATION_TITLE,
            subtitle="Développez les partenariats entre collectivités locales, entreprises et "
                     "structures de l'Économie Sociale et Solidaire pour un territoire plus "
                     "durable et inclusif",
            description="Soirée de clôture du **Mois de l'ESS en Grand Est**.\n\n"
                        "- Témoignages de partenariats réussis en Moselle\n"
                        "- Échanges entre collectivités, entreprises et structures de l'ESS\n"
                        "- Verre de l'amitié\n",
            start_at=_at(dec2, 16, 30), end_at=_at(dec2, 19, 30), territory_id=place("metz"),
            venue_name="Hôtel du Département", venue_room="Espace Pierre Messmer",
            venue_address="1 rue du Pont Moreau, 57000 Metz",
            organiser="Département de la Moselle", partners="CRESS Grand Est", capacity=150),
        EventData(
            kind=EventKind.FORUM, title="Forum emploi-bénévolat de l'ESS",
            subtitle="Rencontrez les structures de l'ESS qui recrutent salariés et bénévoles",
            description="Stands des structures, offres d'emploi et de bénévolat, ateliers CV.",
            start_at=_at(forum_day, 9, 30), end_at=_at(forum_day, 16, 30),
            territory_id=place("thionville"), venue_address="Thionville",
            organiser="Département de la Moselle", partners="CRESS Grand Est, France Travail",
            capacity=400),
        EventData(
            kind=EventKind.BREAKFAST, title="Petit-déjeuner territorial de Forbach",
            subtitle="Les acteurs de l'ESS du territoire se rencontrent autour d'un café",
            start_at=_at(b1, 8, 30), end_at=_at(b1, 10, 30), territory_id=place("forbach-boulay"),
            venue_address="Forbach", organiser="Département de la Moselle", capacity=40,
            asks_dietary=True),
        EventData(
            kind=EventKind.BREAKFAST, title="Petit-déjeuner territorial de Sarrebourg",
            subtitle="Les acteurs de l'ESS du territoire se rencontrent autour d'un café",
            start_at=_at(b2, 8, 30), end_at=_at(b2, 10, 30),
            territory_id=place("sarrebourg-chateau-salins"), venue_address="Sarrebourg",
            organiser="Département de la Moselle", capacity=40, asks_dietary=True),
        EventData(
            kind=EventKind.ESSPRESSO, title="ESSpresso : rendez-vous d'affaires de l'achat "
                                           "responsable",
            subtitle="Acheteurs publics et privés, fournisseurs de l'ESS : des rendez-vous de "
                     "20 minutes, à des tables numérotées",
            description="Les entreprises et collectivités réservent leurs rendez-vous ; "
                        "l'équipe complète les agendas à partir des souhaits des deux "
                        "côtés.\n\n- Traiteur, propreté, espaces verts, réemploi, impression, "
                        "informatique reconditionnée, logistique…\n",
            start_at=_at(esspresso_day, 14, 0), end_at=_at(esspresso_day, 17, 0),
            territory_id=place("metz"), venue_name="Hôtel du Département",
            venue_room="Espace Pierre Messmer", venue_address="1 rue du Pont Moreau, 57000 Metz",
            organiser="Département de la Moselle", partners="CRESS Grand Est", capacity=120),
    ]


def load(*, staff, member, today: date | None = None) -> list[str]:
    """Idempotent: an event with the same title is not added twice."""
    today = today or utcnow().astimezone(PARIS).date()
    done = []
    for data in demo_events(today):
        exists = db.session.scalar(select(Event.id).where(Event.title == data.title))
        if exists is not None:
            continue
        event = create_event(data, acting=staff)
        event.status = EventStatus.PUBLISHED
        db.session.flush()
        done.append(f"événement « {data.title} »")
        if data.kind == EventKind.EVENING:
            # The demo member is registered: "Mon compte" shows the registration and its badge.
            registration.register(event, registration.prefill(member), acting=member)
            done.append(f"inscription de {member.email} (avec badge)")
            door_demo.load(event, staff=staff)  # volunteers, a printed badge
    return done
