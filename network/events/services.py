"""Event use cases: one commit each, mail queued in the same transaction.

Capacity lives in `events.seats_taken`, changed only by conditional UPDATEs whose row count
says whether a seat was taken; the CHECK constraint on the table is the last guard.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import nh3
from flask import current_app
from markdown_it import MarkdownIt
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from network.accounts.models import User
from network.core import signals
from network.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationError
from network.core.time import to_paris, utcnow
from network.core.tokens import make_token, read_token
from network.core.urls import external_url
from network.events import badges, checkin, ical
from network.events.models import (
    ACTIVE,
    KIND_LABELS,
    SEAT_HOLDING,
    Event,
    EventKind,
    EventStatus,
    Registration,
    RegistrationStatus,
    new_uid,
)
from network.events.territories import territories, territory_name
from network.extensions import db
from network.outbox import services as outbox

CONFIRM = "events.confirm"
MANAGE = "events.registration"
S = RegistrationStatus


def setting(name: str):
    return current_app.config[name]


def contact() -> dict[str, str]:
    return {"name": setting("EVENTS_CONTACT_NAME"), "email": setting("EVENTS_CONTACT_EMAIL"),
            "phone": setting("EVENTS_CONTACT_PHONE")}


_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False})


def render_description(text: str) -> str:
    """Markdown typed by staff, rendered then sanitised: no raw HTML, no scripts."""
    return nh3.clean(_markdown.render(text or ""), link_rel="noopener noreferrer")


# --- reading -------------------------------------------------------------------------------

def get_event(event_id: int) -> Event | None:
    return db.session.get(Event, event_id)


def get_visible_event(event_id: int, user=None) -> Event:
    """Drafts exist only for staff."""
    event = get_event(event_id)
    is_staff = bool(user is not None and getattr(user, "is_authenticated", False)
                    and user.is_staff)
    if event is None or (event.status == EventStatus.DRAFT and not is_staff):
        raise NotFound("Cet événement n'existe pas ou n'est pas encore publié.", "event_not_found")
    return event


def list_upcoming(limit: int | None = None, *, kind: str | None = None,
                  territory: str | None = None, now: datetime | None = None) -> list[Event]:
    now = now or utcnow()
    query = (select(Event).where(Event.status == EventStatus.PUBLISHED, Event.end_at >= now)
             .order_by(Event.start_at))
    if kind in {k.value for k in EventKind}:
        query = query.where(Event.kind == EventKind(kind))
    if territory in territories(active_only=False):
        query = query.where(Event.territory == territory)
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def list_all_events() -> list[Event]:
    return list(db.session.scalars(select(Event).order_by(Event.start_at.desc())))


def list_for_user(user) -> list[tuple[Registration, int | None]]:
    """The person's registrations (newest events first) with their waitlist position."""
    regs = db.session.scalars(
        select(Registration).join(Event)
        .where(or_(Registration.user_id == user.id, Registration.email == user.email))
        .order_by(Event.start_at.desc())
    ).all()
    return [(r, waitlist_position(r)) for r in regs]


def waitlist_position(reg: Registration) -> int | None:
    if reg.status != S.WAITLISTED:
        return None
    ahead = db.session.scalar(
        select(func.count(Registration.id)).where(
            Registration.event_id == reg.event_id, Registration.status == S.WAITLISTED,
            or_(Registration.waitlisted_at < reg.waitlisted_at,
                and_(Registration.waitlisted_at == reg.waitlisted_at,
                     Registration.id < reg.id))))
    return (ahead or 0) + 1


def counts(event: Event) -> dict[RegistrationStatus, int]:
    rows = db.session.execute(
        select(Registration.status, func.count()).where(Registration.event_id == event.id)
        .group_by(Registration.status)).all()
    result = {s: 0 for s in RegistrationStatus}
    result.update(dict(rows))
    return result


# --- staff: create, edit, publish, cancel, duplicate ------------------------------------------

@dataclass
class EventData:
    kind: EventKind
    title: str
    start_at: datetime
    end_at: datetime
    territory: str
    subtitle: str = ""
    description: str = ""
    venue_name: str = ""
    venue_room: str = ""
    venue_address: str = ""
    organiser: str = ""
    partners: str = ""
    capacity: int | None = None
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    is_members_only: bool = False
    asks_organisation: bool = True
    asks_accessibility: bool = True
    asks_dietary: bool = False
    asks_list_consent: bool = True
    asks_photo_consent: bool = True

    FIELDS = ("kind", "title", "start_at", "end_at", "territory", "subtitle", "description",
              "venue_name", "venue_room", "venue_address", "organiser", "partners", "capacity",
              "registration_opens_at", "registration_closes_at", "is_members_only",
              "asks_organisation", "asks_accessibility", "asks_dietary", "asks_list_consent",
              "asks_photo_consent")

    @classmethod
    def of(cls, event: Event) -> EventData:
        return cls(**{name: getattr(event, name) for name in cls.FIELDS})


def _check_event_data(data: EventData) -> None:
    if not data.title.strip():
        raise ValidationError("Indiquez un titre.", "title_required", field="title")
    if data.end_at <= data.start_at:
        raise ValidationError("La fin doit être après le début.", "bad_dates", field="end_at")
    if data.territory not in territories(active_only=False):
        raise ValidationError("Choisissez un territoire de la liste.", "bad_territory",
                              field="territory")
    if data.capacity is not None and data.capacity < 0:
        raise ValidationError("La jauge ne peut pas être négative.", "bad_capacity",
                              field="capacity")
    if (data.registration_opens_at and data.registration_closes_at
            and data.registration_closes_at <= data.registration_opens_at):
        raise ValidationError("La clôture des inscriptions doit suivre leur ouverture.",
                              "bad_registration_dates", field="registration_closes_at")


def create_event(data: EventData) -> Event:
    _check_event_data(data)
    event = Event(**{name: getattr(data, name) for name in EventData.FIELDS})
    event.title = data.title.strip()
    event.status = EventStatus.DRAFT
    db.session.add(event)
    db.session.commit()
    return event


def update_event(event: Event, data: EventData, *, now: datetime | None = None) -> Event:
    """Edit; a change of time or place raises SEQUENCE and sends every registrant an update."""
    now = now or utcnow()
    _check_event_data(data)
    moved = (data.start_at != event.start_at or data.end_at != event.end_at
             or (data.venue_name, data.venue_room, data.venue_address)
             != (event.venue_name, event.venue_room, event.venue_address))
    for name in EventData.FIELDS:
        setattr(event, name, getattr(data, name))
    if moved:
        event.sequence += 1
        if event.status == EventStatus.PUBLISHED:
            for reg in _registrations(event, (S.CONFIRMED,)):
                _mail_invite(reg, "event_updated", "Changement : " + event.title, now=now,
                             bump=True)
    try:
        # The CHECK constraint, not a read in Python, keeps the capacity above the seats taken
        # even while registrations arrive during the edit.
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        if "ck_events_seats" not in str(exc.orig):
            raise
        taken = db.session.scalar(select(Event.seats_taken).where(Event.id == event.id))
        raise Conflict(f"{taken} places sont déjà prises : la jauge ne peut pas descendre en "
                       "dessous.", "capacity_below_taken", field="capacity") from exc
    _fill_free_seats(event, now)
    db.session.commit()
    return event


def publish_event(event: Event) -> Event:
    if event.status == EventStatus.CANCELLED:
        raise Conflict("Un événement annulé ne peut pas être publié ; dupliquez-le.",
                       "event_cancelled")
    event.status = EventStatus.PUBLISHED
    db.session.commit()
    return event


def cancel_event(event: Event, *, now: datetime | None = None) -> Event:
    """Everyone registered gets METHOD:CANCEL (or a plain notice if no invite was sent)."""
    now = now or utcnow()
    if event.status == EventStatus.CANCELLED:
        return event
    event.status = EventStatus.CANCELLED
    event.cancelled_at = now
    event.sequence += 1
    for reg in _registrations(event, ACTIVE):
        reg.status = S.CANCELLED
        reg.cancelled_at = now
        signals.registration_cancelled.send(reg, now=now)  # door:
        _mail_cancel(reg, "event_cancelled", "Annulation : " + event.title, now=now)
    db.session.commit()
    return event


def duplicate_event(event: Event) -> Event:
    data = EventData.of(event)
    data.title = f"{event.title} (copie)"
    copy = Event(**{name: getattr(data, name) for name in EventData.FIELDS})
    copy.status = EventStatus.DRAFT
    db.session.add(copy)
    db.session.commit()
    return copy


# --- registration ----------------------------------------------------------------------------

@dataclass
class Answers:
    name: str = ""
    email: str = ""
    organisation_name: str = ""
    organisation_kind: str = ""
    role: str = ""
    accessibility_needs: str = ""
    dietary_needs: str = ""
    consents_to_list: bool = False
    consents_to_photos: bool = False


@dataclass
class Outcome:
    registration: Registration
    result: str  # confirmed | pending | waitlisted | resent
    extra: dict = field(default_factory=dict)


def prefill(user) -> Answers:
    """One-click registration: the profile answers the questions."""
    org = user.memberships[0].organisation if user.memberships else None
    return Answers(name=user.name, email=user.email,
                   organisation_name=org.name if org else "",
                   organisation_kind=org.kind.value if org else "")


def is_member(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False)
                and (user.is_staff or user.memberships))


def check_open(event: Event, *, now: datetime, user=None) -> None:
    if event.status == EventStatus.CANCELLED:
        raise Conflict("Cet événement est annulé : les inscriptions sont fermées.",
                       "event_cancelled")
    if event.status != EventStatus.PUBLISHED:
        raise Conflict("Cet événement n'est pas encore publié.", "event_not_published")
    if event.registration_opens_at and now < event.registration_opens_at:
        when = to_paris(event.registration_opens_at).strftime("%d/%m/%Y à %Hh%M")
        raise Conflict(f"Les inscriptions ne sont pas encore ouvertes : elles ouvriront le "
                       f"{when}.", "registration_not_open")
    closes = event.registration_closes_at or event.start_at
    if now >= min(closes, event.start_at):
        raise Conflict("Les inscriptions à cet événement sont closes.", "registration_closed")
    if event.is_members_only and not is_member(user):
        raise PermissionDenied("Cet événement est réservé aux membres du réseau : connectez-vous "
                               "avec un compte rattaché à une structure.", "members_only")


def _normalise(answers: Answers, event: Event) -> Answers:
    answers.email = answers.email.strip().lower()
    answers.name = answers.name.strip()
    if not answers.name:
        raise ValidationError("Indiquez votre nom.", "name_required", field="name")
    if "@" not in answers.email or "." not in answers.email.split("@")[-1] \
            or len(answers.email) > 254:
        raise ValidationError("Saisissez une adresse e-mail valide, par exemple "
                              "prenom.nom@exemple.fr.", "bad_email", field="email")
    if not event.asks_dietary:
        answers.dietary_needs = ""
    return answers


def _take_seat(event_id: int) -> bool:
    """The one place a seat is taken: a conditional UPDATE; the row count is the answer."""
    result = db.session.execute(
        update(Event)
        .where(Event.id == event_id)
        .where(or_(Event.capacity.is_(None), Event.seats_taken < Event.capacity))
        .values(seats_taken=Event.seats_taken + 1)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def _give_back_seat(event_id: int) -> None:
    db.session.execute(
        update(Event).where(Event.id == event_id, Event.seats_taken > 0)
        .values(seats_taken=Event.seats_taken - 1)
        .execution_options(synchronize_session=False))


def _existing(event_id: int, email: str) -> Registration | None:
    return db.session.scalar(select(Registration).where(
        Registration.event_id == event_id, Registration.email == email))


def register(event: Event, answers: Answers, *, user=None, registered_by=None,
             now: datetime | None = None, send_mail: bool = True) -> Outcome:
    """Signed-in people are confirmed at once; guests hold a seat until they confirm by mail.

    Registering again with the same e-mail never takes a second seat: the mail is sent again.
    """
    now = now or utcnow()
    check_open(event, now=now, user=user if registered_by is None else registered_by)
    answers = _normalise(answers, event)
    release_lapsed(now=now, event_id=event.id)
    event_id = event.id
    existing = _existing(event_id, answers.email)
    if existing is not None and existing.status in ACTIVE:
        return _resend(existing, now)
    try:
        reg = existing or Registration(event_id=event_id, email=answers.email,
                                       ical_uid=f"{new_uid()}@{_uid_domain()}")
        for name, value in vars(answers).items():
            setattr(reg, name, value)
        if user is not None:
            reg.user_id = user.id
            reg.is_email_confirmed = True
        reg.registered_by_id = registered_by.id if registered_by is not None else None
        confirmed_address = reg.is_email_confirmed or registered_by is not None
        if _take_seat(event_id):
            if confirmed_address:
                reg.status, reg.confirmed_at = S.CONFIRMED, now
                reg.hold_expires_at = None
            else:
                reg.status = S.PENDING
                reg.hold_expires_at = now + timedelta(
                    minutes=int(setting("EVENTS_GUEST_HOLD_MINUTES")))
        else:
            reg.status, reg.waitlisted_at = S.WAITLISTED, now
        reg.cancelled_at = None
        reg.offer_expires_at = None
        if existing is None:
            db.session.add(reg)
        db.session.flush()
    except IntegrityError:
        # Same e-mail at the same instant: the other request won; this one only resends.
        db.session.rollback()
        existing = _existing(event_id, answers.email)
        if existing is None:
            raise
        return _resend(existing, now)
    db.session.refresh(event)
    if reg.status == S.CONFIRMED:
        signals.registration_confirmed.send(reg, now=now)  # door:
    if send_mail:
        _mail_for_status(reg, now)
    db.session.commit()
    return Outcome(reg, {S.CONFIRMED: "confirmed", S.PENDING: "pending",
                         S.WAITLISTED: "waitlisted"}[reg.status])


def _resend(reg: Registration, now: datetime) -> Outcome:
    _mail_for_status(reg, now)
    db.session.commit()
    return Outcome(reg, "resent", {"status": reg.status})


def _mail_for_status(reg: Registration, now: datetime) -> None:
    event = reg.event
    if reg.status == S.CONFIRMED:
        _mail_invite(reg, "event_confirmed", "Inscription confirmée : " + event.title, now=now)
    elif reg.status == S.PENDING:
        _mail(reg, "event_pending", "Confirmez votre inscription : " + event.title,
              confirm_link=external_url("events.confirm", token=make_token(
                  CONFIRM, {"r": reg.id, "e": reg.email})),
              minutes=int(setting("EVENTS_GUEST_HOLD_MINUTES")))
    elif reg.status == S.WAITLISTED:
        _mail(reg, "event_waitlisted", "Liste d'attente : " + event.title,
              position=waitlist_position(reg))
    elif reg.status == S.OFFERED:
        _mail(reg, "event_offer", "Une place se libère : " + event.title)


def registration_from_token(token: str) -> Registration:
    data = read_token(MANAGE, token, None)
    reg = db.session.get(Registration, int(data.get("r", 0))) if isinstance(data, dict) else None
    if reg is None or reg.ical_uid != data.get("u"):
        raise DomainError("Ce lien ne correspond à aucune inscription.", "token_invalid")
    return reg


def manage_token(reg: Registration) -> str:
    return make_token(MANAGE, {"r": reg.id, "u": reg.ical_uid})


def confirm_guest(token: str, *, now: datetime | None = None) -> Registration:
    """The link in the mail proves the address; a lapsed hold takes a seat again if any."""
    now = now or utcnow()
    data = read_token(CONFIRM, token, None)
    reg = db.session.get(Registration, int(data.get("r", 0))) if isinstance(data, dict) else None
    if reg is None or reg.email != data.get("e"):
        raise DomainError("Ce lien de confirmation ne correspond à aucune inscription.",
                          "token_invalid")
    release_lapsed(now=now, event_id=reg.event_id)
    db.session.refresh(reg)
    reg.is_email_confirmed = True
    if reg.status == S.PENDING:
        reg.status, reg.confirmed_at, reg.hold_expires_at = S.CONFIRMED, now, None
        signals.registration_confirmed.send(reg, now=now)  # door:
        _mail_invite(reg, "event_confirmed", "Inscription confirmée : " + reg.event.title,
                     now=now)
    elif reg.status == S.EXPIRED:
        check_open(reg.event, now=now)
        if _take_seat(reg.event_id):
            reg.status, reg.confirmed_at = S.CONFIRMED, now
            signals.registration_confirmed.send(reg, now=now)  # door:
            _mail_invite(reg, "event_confirmed", "Inscription confirmée : " + reg.event.title,
                         now=now)
        else:
            reg.status, reg.waitlisted_at = S.WAITLISTED, now
            _mail_for_status(reg, now)
    elif reg.status == S.CANCELLED:
        raise Conflict("Cette inscription a été annulée. Vous pouvez vous inscrire de nouveau "
                       "depuis la page de l'événement.", "registration_cancelled")
    db.session.commit()
    return reg


def cancel_registration(reg: Registration, *, by_staff: bool = False,
                        now: datetime | None = None) -> Registration:
    """The seat goes to the next person on the waitlist, or back to the pool."""
    now = now or utcnow()
    if reg.status in (S.CANCELLED, S.EXPIRED):
        return reg
    held = reg.holds_seat
    reg.status, reg.cancelled_at = S.CANCELLED, now
    reg.hold_expires_at = reg.offer_expires_at = None
    signals.registration_cancelled.send(reg, now=now)  # door:
    _mail_cancel(reg, "event_registration_cancelled",
                 "Inscription annulée : " + reg.event.title, now=now, by_staff=by_staff)
    if held:
        _free_seat(reg.event, now)
    db.session.commit()
    return reg


def cancel_own(user, registration_id: int, *, now: datetime | None = None) -> Registration:
    reg = db.session.get(Registration, registration_id)
    if reg is None or (reg.user_id != user.id and reg.email != user.email):
        raise NotFound("Cette inscription n'existe pas.", "registration_not_found")
    return cancel_registration(reg, now=now)


def accept_offer(reg: Registration, *, now: datetime | None = None) -> Registration:
    now = now or utcnow()
    release_lapsed(now=now, event_id=reg.event_id)
    db.session.refresh(reg)
    if reg.status == S.CONFIRMED:
        return reg
    if reg.status != S.OFFERED:
        raise Conflict("Cette proposition de place a expiré ou n'existe plus.", "offer_expired")
    reg.status, reg.confirmed_at, reg.offer_expires_at = S.CONFIRMED, now, None
    reg.is_email_confirmed = True
    signals.registration_confirmed.send(reg, now=now)  # door:
    _mail_invite(reg, "event_confirmed", "Inscription confirmée : " + reg.event.title, now=now)
    db.session.commit()
    return reg


def _next_waitlisted(event_id: int) -> Registration | None:
    return db.session.scalar(
        select(Registration)
        .where(Registration.event_id == event_id, Registration.status == S.WAITLISTED)
        .order_by(Registration.waitlisted_at, Registration.id)
        .limit(1).with_for_update(skip_locked=True))


def _offer_deadline(event: Event, now: datetime) -> datetime:
    hours = int(setting("EVENTS_WAITLIST_OFFER_HOURS"))
    return min(now + timedelta(hours=hours), event.start_at)


def _free_seat(event: Event, now: datetime) -> None:
    """Hand a freed seat straight to the next person waiting, so nobody can jump the queue."""
    while event.start_at > now and event.status == EventStatus.PUBLISHED:
        nxt = _next_waitlisted(event.id)
        if nxt is None:
            break
        moved = db.session.execute(
            update(Registration).where(Registration.id == nxt.id,
                                       Registration.status == S.WAITLISTED)
            .values(status=S.OFFERED, offer_expires_at=_offer_deadline(event, now))
            .execution_options(synchronize_session=False))
        if moved.rowcount == 1:
            db.session.refresh(nxt)
            _mail_for_status(nxt, now)
            return
    _give_back_seat(event.id)


def _fill_free_seats(event: Event, now: datetime) -> None:
    """After the capacity was raised: offer the new seats to those waiting."""
    if event.status != EventStatus.PUBLISHED or event.start_at <= now:
        return
    while _next_waitlisted(event.id) is not None and _take_seat(event.id):
        _free_seat(event, now)
    db.session.refresh(event)


def release_lapsed(*, now: datetime | None = None, event_id: int | None = None) -> int:
    """Guest holds and waitlist offers past their time: free the seat, offer it to the next."""
    now = now or utcnow()
    query = select(Registration).where(or_(
        and_(Registration.status == S.PENDING, Registration.hold_expires_at <= now),
        and_(Registration.status == S.OFFERED, Registration.offer_expires_at <= now)))
    if event_id is not None:
        query = query.where(Registration.event_id == event_id)
    lapsed = db.session.scalars(query.order_by(Registration.id)).all()
    done = 0
    for reg in lapsed:
        was = reg.status
        moved = db.session.execute(
            update(Registration).where(Registration.id == reg.id, Registration.status == was)
            .values(status=S.EXPIRED).execution_options(synchronize_session=False))
        if moved.rowcount != 1:
            continue
        db.session.refresh(reg)
        if was == S.OFFERED:
            _mail(reg, "event_offer_expired", "Place non confirmée : " + reg.event.title)
        _free_seat(reg.event, now)
        done += 1
    if lapsed:
        db.session.commit()
    return done


@signals.mail_refused.connect
def release_refused_guest(message, now: datetime) -> None:
    """The mail server refused a guest's address for good: they can never confirm, so their
    held seats go back now (to the next person waiting) instead of in half an hour."""
    if message.kind != "event_pending":
        return
    held = db.session.scalars(select(Registration.id).where(
        Registration.email == message.to_address, Registration.status == S.PENDING)).all()
    if held:
        db.session.execute(
            update(Registration).where(Registration.id.in_(held), Registration.status == S.PENDING)
            .values(hold_expires_at=now).execution_options(synchronize_session=False))
        release_lapsed(now=now)


def staff_set_status(reg: Registration, action: str, *, now: datetime | None = None
                     ) -> Registration:
    """Staff move a registration: confirm (takes a seat), waitlist, cancel, mark presence."""
    now = now or utcnow()
    if action == "cancel":
        return cancel_registration(reg, by_staff=True, now=now)
    if action in ("present", "absent"):
        reg.attended = action == "present"
    elif action == "confirm":
        if reg.status in (S.PENDING, S.OFFERED):
            reg.status, reg.confirmed_at = S.CONFIRMED, now
        elif reg.status != S.CONFIRMED:
            if not _take_seat(reg.event_id):
                raise Conflict("L'événement est complet : augmentez la jauge ou libérez une "
                               "place d'abord.", "event_full")
            reg.status, reg.confirmed_at = S.CONFIRMED, now
        else:
            return reg
        reg.hold_expires_at = reg.offer_expires_at = None
        signals.registration_confirmed.send(reg, now=now)  # door:
        _mail_invite(reg, "event_confirmed", "Inscription confirmée : " + reg.event.title,
                     now=now)
    elif action == "waitlist":
        if reg.status == S.WAITLISTED:
            return reg
        held = reg.holds_seat
        reg.status, reg.waitlisted_at = S.WAITLISTED, now
        reg.hold_expires_at = reg.offer_expires_at = None
        if held:
            _give_back_seat(reg.event_id)
        _mail_for_status(reg, now)
    else:
        raise ValidationError("Action inconnue.", "bad_action")
    db.session.commit()
    return reg


def group_register(event: Event, leader, people: list[tuple[str, str]], *,
                   role: str = "", now: datetime | None = None) -> list[Outcome]:
    """A signed-in person registers colleagues of the same organisation, one seat each."""
    now = now or utcnow()
    if not leader.memberships:
        raise PermissionDenied("Rattachez d'abord votre compte à une structure pour inscrire "
                               "vos collègues.", "no_organisation")
    if not people:
        raise ValidationError("Indiquez au moins une personne.", "no_people", field="people")
    base = prefill(leader)
    outcomes = []
    for name, email in people:
        answers = Answers(name=name, email=email, organisation_name=base.organisation_name,
                          organisation_kind=base.organisation_kind, role=role)
        outcomes.append(register(event, answers, registered_by=leader, now=now))
    return outcomes


def parse_people(text: str) -> list[tuple[str, str]]:
    """Lines "Prénom Nom <adresse>" or "Prénom Nom ; adresse"."""
    people = []
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        if "<" in line and line.endswith(">"):
            name, email = line[:-1].split("<", 1)
        elif ";" in line:
            name, email = line.split(";", 1)
        else:
            raise ValidationError(f"Ligne {n} : écrivez « Prénom Nom <adresse e-mail> ».",
                                  "bad_line", field="people")
        people.append((name.strip(), email.strip()))
    return people


# --- mail and calendar -----------------------------------------------------------------------

def _uid_domain() -> str:
    from urllib.parse import urlsplit

    return urlsplit(current_app.config["SITE_URL"]).hostname or "reseau-ess-moselle"


def ics_event(event: Event, *, uid: str | None = None, sequence: int | None = None,
              cancelled: bool = False) -> ical.IcsEvent:
    return ical.IcsEvent(
        uid=uid or f"event-{event.uid}@{_uid_domain()}",
        sequence=event.sequence if sequence is None else sequence,
        summary=event.title,
        start=event.start_at, end=event.end_at, location=event.location,
        description=(event.subtitle + "\n\n" if event.subtitle else "")
        + external_url("events.detail", event_id=event.id),
        url=external_url("events.detail", event_id=event.id),
        organizer_email=setting("EVENTS_ORGANIZER_EMAIL"),
        organizer_name=setting("EVENTS_ORGANIZER_NAME"),
        is_cancelled=cancelled or event.status == EventStatus.CANCELLED,
        categories=(KIND_LABELS[event.kind],))


def _links(reg: Registration) -> dict[str, str]:
    token = manage_token(reg)
    return {"manage_link": external_url("events.manage", token=token),
            "event_link": external_url("events.detail", event_id=reg.event_id),
            "badge_link": external_url("events.my_badge", token=token),
            "badge_code": badges.display(reg.badge_code)}


def _mail(reg: Registration, template: str, subject: str, *, attachments=None, **context):
    outbox.enqueue(reg.email, template, subject=subject, attachments=attachments,
                   context={"reg": reg, "event": reg.event, "contact": contact(),
                            **_links(reg), **context})


def _mail_invite(reg: Registration, template: str, subject: str, *, now: datetime,
                 bump: bool = False) -> None:
    # After a CANCEL the calendar needs a higher SEQUENCE to take the event back.
    bump = bump or reg.ical_method_sent == ical.CANCEL
    seq = max(reg.event.sequence, reg.ical_sequence + (1 if bump else 0))
    reg.ical_sequence = seq
    reg.ical_method_sent = ical.REQUEST
    data = ical.invite(ics_event(reg.event, uid=reg.ical_uid, sequence=seq),
                       method=ical.REQUEST, attendee_email=reg.email, attendee_name=reg.name,
                       now=now, alarm_minutes=int(setting("EVENTS_ALARM_MINUTES")))
    attachments = [outbox.Attachment("invitation.ics", ical.content_type(ical.REQUEST), data)]
    if reg.status == S.CONFIRMED:
        # The badge travels with the invite: shown on the phone or printed, scanned at the door.
        attachments.append(outbox.Attachment("badge.png", "image/png", checkin.badge_png(reg)))
    _mail(reg, template, subject, attachments=attachments)


def _mail_cancel(reg: Registration, template: str, subject: str, *, now: datetime,
                 **context) -> None:
    attachments = None
    if reg.ical_method_sent == ical.REQUEST:
        reg.ical_sequence = max(reg.event.sequence, reg.ical_sequence + 1)
        reg.ical_method_sent = ical.CANCEL
        data = ical.invite(ics_event(reg.event, uid=reg.ical_uid, sequence=reg.ical_sequence,
                                     cancelled=True),
                           method=ical.CANCEL, attendee_email=reg.email,
                           attendee_name=reg.name, now=now)
        attachments = [outbox.Attachment("annulation.ics", ical.content_type(ical.CANCEL),
                                         data)]
    _mail(reg, template, subject, attachments=attachments, **context)


def event_ics(event: Event, *, now: datetime | None = None) -> bytes:
    """« Ajouter à mon agenda »: the event alone, METHOD:PUBLISH."""
    return ical.feed([ics_event(event)], name=event.title, now=now or utcnow())


def public_feed(*, kind: str | None = None, territory: str | None = None,
                now: datetime | None = None) -> bytes:
    now = now or utcnow()
    query = select(Event).where(Event.status.in_([EventStatus.PUBLISHED, EventStatus.CANCELLED]),
                                Event.end_at >= now - timedelta(days=90))
    if kind in {k.value for k in EventKind}:
        query = query.where(Event.kind == EventKind(kind))
    if territory in territories(active_only=False):
        query = query.where(Event.territory == territory)
    events = db.session.scalars(query.order_by(Event.start_at)).all()
    name = "Événements de l'ESS en Moselle"
    if territory in territories(active_only=False):
        name += f" — {territory_name(territory)}"
    return ical.feed([ics_event(e) for e in events], name=name, now=now)


def personal_feed(token: str, *, now: datetime | None = None) -> bytes:
    """Everything one person registered for, behind their secret calendar token."""
    now = now or utcnow()
    user = db.session.scalar(select(User).where(User.calendar_token == token)) if token else None
    if user is None:
        raise NotFound("Ce lien d'agenda n'est pas valide ; il a peut-être été renouvelé.",
                       "feed_not_found")
    regs = db.session.scalars(
        select(Registration).join(Event)
        .where(or_(Registration.user_id == user.id, Registration.email == user.email),
               Registration.status.in_([*SEAT_HOLDING, S.CANCELLED]),
               Registration.ical_method_sent.is_not(None) | (Registration.status != S.CANCELLED))
        .order_by(Event.start_at)).all()
    items = [ics_event(r.event, uid=r.ical_uid, sequence=max(r.ical_sequence, r.event.sequence),
                       cancelled=r.status == S.CANCELLED) for r in regs]
    return ical.feed(items, name="Mes événements — " + current_app.config["SITE_NAME"], now=now)


def send_reminders(*, now: datetime | None = None) -> int:
    """The day-before mail: events starting within the window, each person once."""
    now = now or utcnow()
    window = now + timedelta(hours=int(setting("EVENTS_REMINDER_WINDOW_HOURS")))
    regs = db.session.scalars(
        select(Registration).join(Event)
        .where(Event.status == EventStatus.PUBLISHED, Event.start_at > now,
               Event.start_at <= window, Registration.status == S.CONFIRMED,
               Registration.reminded_at.is_(None))).all()
    for reg in regs:
        reg.reminded_at = now
        _mail(reg, "event_reminder", "Rappel : " + reg.event.title)
    db.session.commit()
    return len(regs)


# --- staff: lists, export, message, figures ------------------------------------------------

def _registrations(event: Event, statuses) -> list[Registration]:
    return list(db.session.scalars(
        select(Registration).where(Registration.event_id == event.id,
                                   Registration.status.in_(list(statuses)))
        .order_by(Registration.id)))


def list_registrations(event: Event, search: str = "") -> list[Registration]:
    query = select(Registration).where(Registration.event_id == event.id)
    if search:
        like = f"%{search.strip().lower()}%"
        query = query.where(or_(func.lower(Registration.name).like(like),
                                func.lower(Registration.email).like(like),
                                func.lower(Registration.organisation_name).like(like)))
    return list(db.session.scalars(query.order_by(Registration.created_at, Registration.id)))


def get_registration(registration_id: int) -> Registration | None:
    return db.session.get(Registration, registration_id)


CSV_HEADER = ["Nom", "E-mail", "Organisation", "Type d'organisation", "Fonction", "Statut",
              "Position en liste d'attente", "Accessibilité", "Régime alimentaire",
              "Liste des participants", "Photos", "Présence", "Inscrit le", "Entrée à l'accueil"]


def registrations_csv(event: Event) -> bytes:
    """For French Excel: UTF-8 with BOM, semicolons, dates in Paris time."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for reg in list_registrations(event):
        pos = waitlist_position(reg)
        writer.writerow([
            _csv_safe(reg.name), reg.email, _csv_safe(reg.organisation_name),
            reg.organisation_kind, _csv_safe(reg.role), reg.status_label, pos or "",
            _csv_safe(reg.accessibility_needs), _csv_safe(reg.dietary_needs),
            "oui" if reg.consents_to_list else "non", "oui" if reg.consents_to_photos else "non",
            {True: "présent", False: "absent", None: ""}[reg.attended],
            to_paris(reg.created_at).strftime("%d/%m/%Y %H:%M"),
            to_paris(reg.checked_in_at).strftime("%d/%m/%Y %H:%M") if reg.checked_in_at else ""])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_safe(value: str) -> str:
    """No formula injection when the file is opened in a spreadsheet."""
    return "'" + value if value and value[0] in "=+-@\t\r" else value


def message_all(event: Event, subject: str, body: str, *,
                statuses=(S.CONFIRMED, S.PENDING, S.OFFERED, S.WAITLISTED)) -> int:
    subject, body = subject.strip(), body.strip()
    if not subject or not body:
        raise ValidationError("Indiquez un objet et un message.", "message_required",
                              field="subject" if not subject else "body")
    regs = _registrations(event, statuses)
    for reg in regs:
        _mail(reg, "event_message", subject, message=body)
    db.session.commit()
    return len(regs)


def figures(event: Event) -> dict:
    regs = list_registrations(event)
    active = [r for r in regs if r.status in ACTIVE]
    per_day = Counter(to_paris(r.created_at).date() for r in active)
    kinds = Counter({"structure": "Structure de l'ESS", "buyer": "Entreprise / collectivité"}
                    .get(r.organisation_kind, "Autre / non renseigné") for r in active)
    territories = Counter()
    if active:
        from network.directory import services as directory

        lookup = directory.territory_of_organisation_name
        for r in active:
            territories[(lookup(r.organisation_name) if lookup else None)
                        or event.territory_label] += 1
    return {"per_day": sorted(per_day.items()), "per_kind": kinds.most_common(),
            "per_territory": territories.most_common(), "counts": counts(event)}


@signals.staff_figures.connect
def _staff_figures(_sender) -> tuple[str, list[tuple[str, int | str, str]]]:
    return "Événements", staff_summary()


def staff_summary() -> list[tuple[str, int | str, str]]:
    now = utcnow()
    upcoming = list_upcoming(now=now)
    confirmed = db.session.scalar(
        select(func.count(Registration.id)).join(Event)
        .where(Event.end_at >= now, Registration.status == S.CONFIRMED)) or 0
    waiting = db.session.scalar(
        select(func.count(Registration.id)).join(Event)
        .where(Event.end_at >= now, Registration.status == S.WAITLISTED)) or 0
    checked_in = db.session.scalar(
        select(func.count(Registration.checked_in_at))) or 0
    url = external_url("events.staff_index")
    return [("Événements à venir", len(upcoming), url),
            ("Inscriptions confirmées à venir", confirmed, url),
            ("En liste d'attente", waiting, url),
            ("Entrées enregistrées à l'accueil (tous événements)", checked_in, url)]


# --- GDPR ----------------------------------------------------------------------------------

def _user_registrations(user) -> list[Registration]:
    return list(db.session.scalars(select(Registration).where(
        or_(Registration.user_id == user.id, Registration.email == user.email))))


def export_user(user) -> list[dict]:
    return [{"evenement": r.event.title, "debut": r.event.start_at.isoformat(),
             "statut": r.status_label, "organisation": r.organisation_name, "fonction": r.role,
             "accessibilite": r.accessibility_needs, "alimentation": r.dietary_needs,
             "liste_participants": r.consents_to_list, "photos": r.consents_to_photos,
             "inscrit_le": r.created_at.isoformat()} for r in _user_registrations(user)]


def erase_user(user) -> None:
    """Free their seats (the next person waiting gets the offer), then delete the rows."""
    now = utcnow()
    for reg in _user_registrations(user):
        if reg.holds_seat and reg.event.start_at > now:
            _free_seat(reg.event, now)
        db.session.delete(reg)


@signals.personal_data_export.connect
def _export_signal(user) -> tuple[str, list[dict]]:
    return "evenements", export_user(user)


signals.personal_data_erase.connect(erase_user)
