"""Demo for the door of the 2 December evening: volunteers invited, the member's badge printed
(so "not yet printed" has something to leave out). Idempotent."""

from __future__ import annotations

from sqlalchemy import select

from network.core.time import utcnow
from network.events.models import DoorVolunteer, Event, Registration
from network.extensions import db

VOLUNTEERS = (("Inès Accueil", "ines.benevole@example.org"),
              ("Marc Accueil", "marc.benevole@example.org"))


def load(event: Event, *, staff) -> list[str]:
    done = []
    for name, email in VOLUNTEERS:
        known = db_volunteer(event, email)
        if known is None:
            # As if invited and their link opened (no mail queued: the demo sends nothing);
            # staff invite them again from « Bénévoles d'accueil » to get a fresh link.
            db.session.add(DoorVolunteer(event_id=event.id, name=name, email=email,
                                         invited_by_id=staff.id, invited_at=utcnow(),
                                         verified_at=utcnow()))
            done.append(f"bénévole d'accueil {name} ({email})")
    db.session.flush()
    from network.events import devices
    from network.events.door_models import DoorDevice

    if db.session.scalar(select(DoorDevice.id).where(DoorDevice.event_id == event.id)) is None:
        _dev, token = devices.issue(event, name="Tablette entrée principale", acting=staff)
        done.append(f"appareil d'accueil « Tablette entrée principale » (jeton de l'API : {token})")
    for reg in event.registrations:
        if isinstance(reg, Registration) and reg.badge_printed_at is None:
            reg.badge_printed_at = utcnow()
            done.append(f"badge de {reg.name} noté comme imprimé")
    return done


def db_volunteer(event: Event, email: str) -> DoorVolunteer | None:
    return db.session.scalar(select(DoorVolunteer).where(DoorVolunteer.event_id == event.id,
                                                         DoorVolunteer.email == email))
