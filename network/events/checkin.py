"""Check-in at the door: a badge scanned (or its code typed) marks the person present once.

Modelled on pretix's perform_checkin: one function, refusals with stable codes, and the
"only once" rule held by a conditional UPDATE so two phones scanning together agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from network.core.errors import DomainError
from network.core.time import utcnow
from network.core.urls import external_url
from network.events import badges
from network.events.models import Event, Registration, RegistrationStatus
from network.extensions import db


class CheckInError(DomainError):
    code = "checkin_refused"

    def __init__(self, message: str, code: str, registration: Registration | None = None):
        super().__init__(message, code)
        self.registration = registration


@dataclass(frozen=True)
class Attendance:
    checked_in: int
    expected: int


def badge_url(reg: Registration) -> str:
    return external_url("events.badge", code=reg.badge_code)


def badge_png(reg: Registration) -> bytes:
    return badges.qr_png(badge_url(reg))


def get_by_code(code: str) -> Registration | None:
    return db.session.scalar(select(Registration).where(Registration.badge_code == code))


def check_in(event: Event, scanned: str, *, by, now: datetime | None = None) -> Registration:
    """Mark the badge's holder present at `event`; raises CheckInError with a stable code."""
    now = now or utcnow()
    code = badges.normalize(scanned)
    if code is None:
        raise CheckInError("Ce code n'est pas celui d'un badge (8 lettres et chiffres).",
                           "invalid_code")
    reg = get_by_code(code)
    if reg is None:
        raise CheckInError("Aucune inscription ne correspond à ce badge.", "unknown_code")
    if reg.event_id != event.id:
        raise CheckInError(f"Ce badge est celui d'un autre événement : « {reg.event.title} ».",
                           "wrong_event", reg)
    if reg.status != RegistrationStatus.CONFIRMED:
        raise CheckInError(f"Inscription non confirmée ({reg.status_label.lower()}) : "
                           "orientez la personne vers l'accueil.", "not_confirmed", reg)
    result = db.session.execute(
        update(Registration)
        .where(Registration.id == reg.id, Registration.checked_in_at.is_(None),
               Registration.status == RegistrationStatus.CONFIRMED)
        .values(checked_in_at=now, checked_in_by_id=by.id, attended=True)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    db.session.refresh(reg)
    if result.rowcount != 1:
        raise CheckInError("Déjà entré(e) : ce badge a été scanné plus tôt.",
                           "already_checked_in", reg)
    return reg


def attendance(event: Event) -> Attendance:
    checked_in, expected = db.session.execute(
        select(func.count(Registration.checked_in_at),
               func.count(Registration.id))
        .where(Registration.event_id == event.id,
               Registration.status == RegistrationStatus.CONFIRMED)
    ).one()
    return Attendance(checked_in=checked_in, expected=expected)


def recent_check_ins(event: Event, limit: int = 10) -> list[Registration]:
    return list(db.session.scalars(
        select(Registration)
        .where(Registration.event_id == event.id, Registration.checked_in_at.is_not(None))
        .order_by(Registration.checked_in_at.desc()).limit(limit)))
