"""Demo for the door of the 2 December evening: volunteers invited, the member's badge printed
(so "not yet printed" has something to leave out). Idempotent."""

from __future__ import annotations

from sqlalchemy import select

from network.core.time import utcnow
from network.events import door
from network.events.models import DoorVolunteer, Event, Registration

VOLUNTEERS = (("Inès Accueil", "ines.benevole@example.org"),
              ("Marc Accueil", "marc.benevole@example.org"))


def load(event: Event, *, staff) -> list[str]:
    done = []
    for name, email in VOLUNTEERS:
        known = db_volunteer(event, email)
        if known is None:
            door.invite(event, name=name, email=email, acting=staff)
            done.append(f"bénévole d'accueil {name} ({email}, lien dans la boîte d'envoi)")
    for reg in event.registrations:
        if isinstance(reg, Registration) and reg.badge_printed_at is None:
            reg.badge_printed_at = utcnow()
            done.append(f"badge de {reg.name} noté comme imprimé")
    return done


def db_volunteer(event: Event, email: str) -> DoorVolunteer | None:
    from network.extensions import db

    return db.session.scalar(select(DoorVolunteer).where(DoorVolunteer.event_id == event.id,
                                                         DoorVolunteer.email == email))
