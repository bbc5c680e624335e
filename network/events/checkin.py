"""Check-in at the door: a badge scanned (or its code typed) marks the person present once.

Modelled on pretix's perform_checkin: one function, refusals with stable codes, and the
"only once" rule held by a conditional UPDATE so two phones scanning together agree. The
acting party is a staff member or a door volunteer of this event (`core.auth.DoorVolunteer`).
A device's scan (the scanner page, the check-in API) takes the fast road in `scans`, which
shares this module's refusals and wording. They flush, never commit: the request (or
command) edge does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select, update

from network.accounts.models import User
from network.core import signals
from network.core.auth import DoorVolunteer as DoorParty
from network.core.auth import is_staff, require
from network.core.errors import DomainError, FieldErrors
from network.core.i18n import when
from network.core.search import normalise
from network.core.search import terms as search_terms
from network.core.text import check_email, single_line
from network.core.time import utcnow
from network.core.urls import external_url
from network.events import badges, rules
from network.events.models import (
    REGISTRATION_LABELS,
    DoorVolunteer,
    Event,
    Registration,
    RegistrationStatus,
    RevokedBadge,
    new_uid,
)
from network.extensions import db

S = RegistrationStatus

#: A door volunteer's right lasts until this long after the event's end.
GRACE = timedelta(hours=2)


class CheckInError(DomainError):
    code = "checkin_refused"
    status = 422

    def __init__(self, message: str, code: str, registration: Registration | None = None):
        super().__init__(message, code)
        self.registration = registration
        if code == "already_checked_in":
            self.status = 409


@dataclass(frozen=True)
class Attendance:
    checked_in: int
    expected: int

    @property
    def text(self) -> str:
        # The plural agrees with the registrants: "Entrées : 0 sur 1 inscrit·e confirmé·e".
        return ngettext("Entrées : %(n)s sur %(num)s inscrit·e confirmé·e",
                        "Entrées : %(n)s sur %(num)s inscrit·es confirmé·es", self.expected,
                        n=self.checked_in)


def hhmm(value: datetime) -> str:
    """A time as the door reads it, in Paris and the current language: 16h42, 4:42 PM."""
    return when(value, "time")


def badge_url(reg: Registration) -> str:
    return external_url("door.badge", code=reg.badge_code)


def badge_png(reg: Registration) -> bytes:
    return badges.qr_png(badge_url(reg))


def get_by_code(code: str) -> Registration | None:
    return db.session.scalar(select(Registration).where(Registration.badge_code == code))


# --- who may work at the door ---------------------------------------------------------------

def door_open_until(event: Event) -> datetime:
    return event.end_at + GRACE


def can_work_door(acting: Any, event: Event, now: datetime | None = None) -> bool:
    """Staff, or a volunteer invited for this very event while the event is not over."""
    if is_staff(acting):
        return True
    if isinstance(acting, DoorParty):
        return acting.event_id == event.id and (now or utcnow()) <= door_open_until(event)
    return False


def require_door(acting: Any, event: Event, now: datetime | None = None) -> None:
    require(can_work_door(acting, event, now),
            _("Réservé à l'équipe d'accueil de cet événement."), "door_only")


def by_columns(acting: Any) -> dict[str, int | None]:
    if isinstance(acting, DoorParty):
        return {"checked_in_by_id": acting.user_id,
                "checked_in_by_volunteer_id": acting.volunteer_id}
    return {"checked_in_by_id": getattr(acting, "id", None), "checked_in_by_volunteer_id": None}


def checked_in_by(reg: Registration) -> str:
    """Who let the person in, as the door says it (a name, or "" if unknown)."""
    if reg.checked_in_by_volunteer_id:
        vol = db.session.get(DoorVolunteer, reg.checked_in_by_volunteer_id)
        return vol.name if vol else ""
    if reg.checked_in_by_id:
        user = db.session.get(User, reg.checked_in_by_id)
        return user.name if user else ""
    return ""


def already_message(reg: Registration) -> str:
    return already_text(reg.checked_in_at, checked_in_by(reg))


# --- refusals: one wording for every path (the scanner page, the API's fast path) -------------

def unknown_code(code: str) -> tuple[str, str]:
    """A code no registration holds: a revoked badge (cancelled, replaced) or an unknown one."""
    if db.session.get(RevokedBadge, code) is not None:
        return (_("Badge annulé : cette inscription a été annulée ou remplacée par un nouveau "
                  "badge."), "revoked_code")
    return _("Aucune inscription ne correspond à ce badge."), "unknown_code"


def refusal(event_id: int, reg_event_id: int, title: Any, status: RegistrationStatus
             ) -> tuple[str, str] | None:
    """Why this registration may not come in (message, code), or None if it may.
    `title` is the other event's title, or a callable giving it (read only when needed)."""
    if reg_event_id != event_id:
        return (_("Ce badge est celui d'un autre événement : « %(title)s ».",
                  title=title() if callable(title) else title), "wrong_event")
    if status == S.CANCELLED:
        return _("Badge annulé : cette inscription a été annulée."), "revoked_code"
    if status != S.CONFIRMED:
        return (_("Inscription non confirmée (%(status)s) : orientez la personne vers "
                  "l'accueil.", status=str(REGISTRATION_LABELS[status]).lower()),
                "not_confirmed")
    return None


def already_text(checked_in_at: datetime | None, by: str) -> str:
    when = hhmm(checked_in_at) if checked_in_at else "?"
    if by:
        return _("Déjà entré·e à %(time)s (par %(by)s).", time=when, by=by)
    return _("Déjà entré·e à %(time)s.", time=when)


# --- check in, undo ---------------------------------------------------------------------------

def check_in(event: Event, scanned: str, *, acting: Any, now: datetime | None = None
             ) -> Registration:
    """Mark the badge's holder present at `event`; raises CheckInError with a stable code."""
    now = now or utcnow()
    require_door(acting, event, now)
    code = badges.normalize(scanned)
    if code is None:
        raise CheckInError(_("Ce code n'est pas celui d'un badge (8 lettres et chiffres)."),
                           "invalid_code")
    reg = get_by_code(code)
    if reg is None:
        raise CheckInError(*unknown_code(code))
    refused = refusal(event.id, reg.event_id, lambda: reg.event.title, reg.status)
    if refused is not None:
        raise CheckInError(*refused, reg)
    result = db.session.execute(
        update(Registration)
        .where(Registration.id == reg.id, Registration.checked_in_at.is_(None),
               Registration.status == S.CONFIRMED)
        .values(checked_in_at=now, attended=True, **by_columns(acting))
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(reg)
    if result.rowcount != 1:
        raise CheckInError(already_message(reg), "already_checked_in", reg)
    signals.checkin_created.send(reg, acting=acting)
    return reg


def undo_check_in(event: Event, registration_id: int, *, acting: Any,
                  now: datetime | None = None) -> Registration:
    """Take back an entry made by mistake. A volunteer may only undo their own entries."""
    now = now or utcnow()
    require_door(acting, event, now)
    query = update(Registration).where(Registration.id == registration_id,
                                       Registration.event_id == event.id,
                                       Registration.checked_in_at.is_not(None))
    if isinstance(acting, DoorParty):
        query = query.where(Registration.checked_in_by_volunteer_id == acting.volunteer_id)
    done = db.session.execute(
        query.values(checked_in_at=None, attended=None, checked_in_by_id=None,
                     checked_in_by_volunteer_id=None)
        .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise CheckInError(_("Cette entrée ne peut pas être annulée (déjà annulée, ou "
                             "enregistrée par quelqu'un d'autre)."), "undo_refused")
    reg = db.session.get(Registration, registration_id)
    db.session.refresh(reg)
    return reg


# --- people without their badge, people who did not register ------------------------------

def search(event: Event, text: str, *, acting: Any, limit: int = 20,
           now: datetime | None = None) -> list[Registration]:
    """Confirmed people whose name or organisation holds every word typed, as a prefix or
    inside a word, whatever the accents and case ("lefevre" finds "Lefèvre").

    Folded in Python (`core.search.normalise`), like the site's search, so both engines agree
    without an extension; an event's list is a few thousand short rows at most, and the
    scanner page already keeps it whole in the browser."""
    require_door(acting, event, now)
    words = search_terms(single_line(text, max_length=100))[:5]
    if not words:
        return []
    rows = db.session.execute(
        select(Registration.id, Registration.name, Registration.organisation_name)
        .where(Registration.event_id == event.id, Registration.status == S.CONFIRMED)
        .order_by(Registration.name, Registration.id)).all()
    found: list[int] = []
    for row in rows:
        haystack = normalise(f"{row.name} {row.organisation_name or ''}")
        if all(word in haystack for word in words):
            found.append(row.id)
            if len(found) == limit:
                break
    if not found:
        return []
    return list(db.session.scalars(select(Registration).where(Registration.id.in_(found))
                                   .order_by(Registration.name, Registration.id)))


@dataclass
class WalkIn:
    name: str = ""
    email: str = ""
    organisation_name: str = ""
    organisation_kind: str = ""


def walk_in(event: Event, person: WalkIn, *, acting: Any, now: datetime | None = None
            ) -> Registration:
    """Someone who did not register: registered on the spot (a seat if any is left) and let in.

    A previous registration with the same address is taken up again (and gets a new badge
    code if it had been cancelled); one already confirmed is simply checked in.
    """
    now = now or utcnow()
    require_door(acting, event, now)
    errors = FieldErrors()
    name = single_line(person.name, max_length=120)
    if not name:
        errors.add("name", _("Indiquez le nom de la personne."), "name_required")
    email = ""
    try:
        email = check_email(person.email)
    except DomainError as err:
        errors.add("email", err.message, err.code)
    kind = person.organisation_kind if person.organisation_kind in ("structure", "buyer") else ""
    errors.check()
    reg = db.session.scalar(select(Registration).where(
        Registration.event_id == event.id, Registration.email == email).with_for_update())
    if reg is None or reg.status != S.CONFIRMED:
        # A pending or offered registration already holds its seat; anyone else takes one.
        if (reg is None or not reg.holds_seat) and not rules.take_seat(event.id):
            raise CheckInError(_("L'événement est complet : plus aucune place n'est libre."),
                               "event_full")
        if reg is None:
            reg = Registration(event_id=event.id, email=email, ical_uid=f"{new_uid()}@door")
            db.session.add(reg)
        reg.name = name
        reg.organisation_name = single_line(person.organisation_name, max_length=200)
        reg.organisation_kind = kind
        reg.is_email_confirmed, reg.cancelled_at = False, None
        if getattr(acting, "is_authenticated", False):
            reg.registered_by_id = acting.id
        rules.mark_confirmed(reg, now)
    return check_in(event, reg.badge_code, acting=acting, now=now)


# --- figures for the door ---------------------------------------------------------------------

def attendance(event: Event) -> Attendance:
    return attendance_of(event.id)


def attendance_of(event_id: int) -> Attendance:
    """By id: a device's answer counts without loading the event."""
    checked_in, expected = db.session.execute(
        select(func.count(Registration.checked_in_at), func.count(Registration.id))
        .where(Registration.event_id == event_id, Registration.status == S.CONFIRMED)).one()
    return Attendance(checked_in=checked_in, expected=expected)


def recent_check_ins(event: Event, limit: int = 10) -> list[Registration]:
    return list(db.session.scalars(
        select(Registration)
        .where(Registration.event_id == event.id, Registration.checked_in_at.is_not(None))
        .order_by(Registration.checked_in_at.desc(), Registration.id.desc()).limit(limit)))


# --- the badge code's lifecycle ---------------------------------------------------------------

@signals.registration_cancelled.connect
def revoke_badge(reg: Registration, **_kwargs: Any) -> None:
    """A cancelled registration's code admits nobody any more (an old print stays refused)."""
    if db.session.get(RevokedBadge, reg.badge_code) is None:
        db.session.add(RevokedBadge(code=reg.badge_code, registration_id=reg.id,
                                    event_id=reg.event_id, revoked_at=utcnow()))
        db.session.flush()


@signals.registration_confirmed.connect
def renew_badge(reg: Registration, **_kwargs: Any) -> None:
    """Confirmed again after a cancellation: a new code, so the old badge stays refused."""
    if reg.badge_code and db.session.get(RevokedBadge, reg.badge_code) is not None:
        code = badges.new_code()
        while get_by_code(code) is not None or db.session.get(RevokedBadge, code) is not None:
            code = badges.new_code()
        reg.badge_code = code
        reg.badge_printed_at = None
        reg.checked_in_at = None
        reg.attended = None
        reg.checked_in_by_id = reg.checked_in_by_volunteer_id = None
        db.session.flush()
