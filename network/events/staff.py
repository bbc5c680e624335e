"""Staff use cases: create, edit, publish, cancel and duplicate events; the registrations
list, its CSV, a message to everyone, and the figures."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, literal, or_, select, update

from network.accounts.models import Organisation
from network.core import signals
from network.core.auth import require_staff
from network.core.errors import Conflict, FieldErrors, ValidationError
from network.core.exports import csv_bytes
from network.core.text import check_markdown, single_line
from network.core.time import to_paris, utcnow
from network.core.urls import external_url
from network.directory.models import Structure, Territory
from network.events import territories
from network.events.models import ACTIVE, Event, EventKind, EventStatus, Registration
from network.events.notices import mail_cancel, mail_invite
from network.events.queries import counts, list_registrations, registrations_of, waitlist_position
from network.events.rules import S, mail, mark_cancelled
from network.events.waitlist import fill_free_seats
from network.extensions import db

#: The dates a person can mean (a year-1 or year-9999 date gets a message, not a 500).
FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass
class EventData:
    """An event's fields, declared once: the form, the model and the copy derive from it."""

    kind: EventKind
    title: str
    start_at: datetime
    end_at: datetime
    territory_id: int
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

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    @classmethod
    def of(cls, event: Event) -> EventData:
        return cls(**{name: getattr(event, name) for name in cls.names()})

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.names()}


#: Column lengths of the text fields (from the model, so they are written once).
TEXT_LIMITS = {name: Event.__table__.c[name].type.length
               for name in ("title", "subtitle", "venue_name", "venue_room", "venue_address",
                            "organiser", "partners")}
DATE_FIELDS = ("start_at", "end_at", "registration_opens_at", "registration_closes_at")


def check_event_data(data: EventData) -> EventData:
    errors = FieldErrors()
    for name, limit in TEXT_LIMITS.items():
        value = single_line(getattr(data, name), max_length=10_000)
        setattr(data, name, value)
        if len(value) > limit:
            errors.add(name, _("%(n)s caractères au plus.", n=limit), "too_long")
    if not data.title:
        errors.add("title", _("Indiquez un titre."), "title_required")
    try:
        data.description = check_markdown(data.description, max_length=20_000)
    except ValidationError as err:
        errors.add("description", err.message, "invalid_markdown")
    for name in DATE_FIELDS:
        value = getattr(data, name)
        if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
            errors.add(name, _("Choisissez une date entre %(a)s et %(b)s.", a=FIRST_YEAR,
                               b=LAST_YEAR), "bad_date")
    if not errors.errors.get("end_at") and not errors.errors.get("start_at") \
            and data.end_at <= data.start_at:
        errors.add("end_at", _("La fin doit être après le début."), "bad_dates")
    if territories.get(data.territory_id) is None:
        errors.add("territory_id", _("Choisissez un territoire de la liste."), "bad_territory")
    if data.capacity is not None and not 0 <= data.capacity <= 100_000:
        errors.add("capacity", _("Un nombre entre 0 et 100 000."), "bad_capacity")
    if (data.registration_opens_at and data.registration_closes_at
            and not errors.errors.get("registration_closes_at")
            and data.registration_closes_at <= data.registration_opens_at):
        errors.add("registration_closes_at",
                   _("La clôture des inscriptions doit suivre leur ouverture."),
                   "bad_registration_dates")
    errors.check()
    return data


def create_event(data: EventData, *, acting: Any) -> Event:
    require_staff(acting)
    check_event_data(data)
    event = Event(**data.values())
    event.status = EventStatus.DRAFT
    db.session.add(event)
    db.session.flush()
    return event


def update_event(event: Event, data: EventData, *, acting: Any,
                 now: datetime | None = None) -> Event:
    """Edit; a change of time or place raises SEQUENCE and sends every registrant an update."""
    require_staff(acting)
    now = now or utcnow()
    check_event_data(data)
    moved = (data.start_at != event.start_at or data.end_at != event.end_at
             or (data.venue_name, data.venue_room, data.venue_address)
             != (event.venue_name, event.venue_room, event.venue_address))
    # A conditional UPDATE, not a read in Python, keeps the capacity above the seats taken
    # even while registrations arrive during the edit (the CHECK constraint is the last guard).
    kept = db.session.execute(
        update(Event).where(Event.id == event.id, or_(
            literal(data.capacity is None), Event.seats_taken <= (data.capacity or 0)))
        .values(capacity=data.capacity).execution_options(synchronize_session=False)).rowcount
    db.session.refresh(event)
    if not kept:
        raise Conflict(ngettext(
            "%(num)d place est déjà prise : la jauge ne peut pas descendre en dessous.",
            "%(num)d places sont déjà prises : la jauge ne peut pas descendre en dessous.",
            event.seats_taken), "capacity_below_taken", field="capacity")
    for name, value in data.values().items():
        setattr(event, name, value)
    db.session.flush()
    if moved:
        event.sequence += 1
        if event.status == EventStatus.PUBLISHED:
            for reg in registrations_of(event, (S.CONFIRMED,)):
                mail_invite(reg, "event_updated",
                            _l("Changement : %(title)s", title=event.title), now=now, bump=True)
    fill_free_seats(event, now)
    db.session.flush()
    return event


def publish_event(event: Event, *, acting: Any) -> Event:
    require_staff(acting)
    if event.status == EventStatus.CANCELLED:
        raise Conflict(_("Un événement annulé ne peut pas être publié ; dupliquez-le."),
                       "event_cancelled")
    event.status = EventStatus.PUBLISHED
    db.session.flush()
    return event


def cancel_event(event: Event, *, acting: Any, now: datetime | None = None) -> Event:
    """Everyone registered gets METHOD:CANCEL (or a plain notice if no invite was sent)."""
    require_staff(acting)
    now = now or utcnow()
    if event.status == EventStatus.CANCELLED:
        return event
    event.status = EventStatus.CANCELLED
    event.cancelled_at = now
    event.sequence += 1
    for reg in registrations_of(event, ACTIVE):
        mark_cancelled(reg, now)
        mail_cancel(reg, "event_cancelled", _l("Annulation : %(title)s", title=event.title),
                    now=now)
    db.session.flush()
    return event


def duplicate_event(event: Event, *, acting: Any) -> Event:
    require_staff(acting)
    data = EventData.of(event)
    data.title = _("%(title)s (copie)", title=event.title)[:TEXT_LIMITS["title"]]
    copy = Event(**data.values())
    copy.status = EventStatus.DRAFT
    db.session.add(copy)
    db.session.flush()
    return copy


# --- registrations: export, message, figures ---------------------------------------------------

CSV_HEADER = [_l("Nom"), _l("E-mail"), _l("Organisation"), _l("Type d'organisation"),
              _l("Fonction"), _l("Statut"), _l("Position en liste d'attente"),
              _l("Accessibilité"), _l("Régime alimentaire"), _l("Liste des participants"),
              _l("Photos"), _l("Présence"), _l("Inscrit·e le"), _l("Entrée à l'accueil")]
PRESENCE = {True: _l("présent·e"), False: _l("absent·e"), None: ""}


def registrations_csv(event: Event, *, acting: Any) -> bytes:
    """For French Excel, through the one CSV writer: every cell guarded against formulas."""
    require_staff(acting)
    rows = ([reg.name, reg.email, reg.organisation_name,
             KIND_NAMES.get(reg.organisation_kind, reg.organisation_kind), reg.role,
             reg.status_label, waitlist_position(reg) or "", reg.accessibility_needs,
             reg.dietary_needs, reg.consents_to_list, reg.consents_to_photos,
             PRESENCE[reg.attended],
             reg.created_at, reg.checked_in_at] for reg in list_registrations(event))
    return csv_bytes(CSV_HEADER, rows)


def message_all(event: Event, subject: str, body: str, *, acting: Any,
                statuses=(S.CONFIRMED, S.PENDING, S.OFFERED, S.WAITLISTED)) -> int:
    """A subject is one line (no CR/LF reaches a header); both fields checked at once."""
    require_staff(acting)
    subject = single_line(subject, max_length=10_000)
    body = (body or "").replace("\x00", "").strip()
    errors = FieldErrors()
    if not subject:
        errors.add("subject", _("Indiquez un objet."), "message_required")
    elif len(subject) > 200:
        errors.add("subject", _("%(n)s caractères au plus.", n=200), "too_long")
    if not body:
        errors.add("body", _("Indiquez un message."), "message_required")
    errors.check()
    regs = registrations_of(event, statuses)
    for reg in regs:
        mail(reg, "event_message", subject, message=body)
    db.session.flush()
    return len(regs)


KIND_NAMES = {"structure": _l("Structure de l'ESS"), "buyer": _l("Entreprise / collectivité")}
OTHER = _l("Autre / non renseigné")


def figures(event: Event) -> dict:
    """Per day, per organisation kind and per territory (the structure's, else the event's),
    from one join of the active registrations with their organisation and structure."""
    rows = db.session.execute(
        select(Registration.created_at, Registration.organisation_kind, Organisation.kind,
               Territory.name)
        .outerjoin(Organisation, Organisation.id == Registration.organisation_id)
        .outerjoin(Structure, Structure.organisation_id == Organisation.id)
        .outerjoin(Territory, Territory.id == Structure.territory_id)
        .where(Registration.event_id == event.id, Registration.status.in_(list(ACTIVE)))).all()
    per_day = Counter(to_paris(created).date() for created, *_rest in rows)
    kinds = Counter(str(KIND_NAMES.get(org_kind.value if org_kind else typed or "", OTHER))
                    for _c, typed, org_kind, _t in rows)
    places = Counter((territory or event.territory_label) for *_rest, territory in rows)
    return {"per_day": sorted(per_day.items()), "per_kind": kinds.most_common(),
            "per_territory": places.most_common(), "counts": counts(event)}


def staff_summary() -> list[tuple[str, int | str, str]]:
    now = utcnow()
    upcoming = db.session.scalar(select(func.count(Event.id)).where(
        Event.status == EventStatus.PUBLISHED, Event.end_at >= now)) or 0
    confirmed = db.session.scalar(
        select(func.count(Registration.id)).join(Event)
        .where(Event.end_at >= now, Registration.status == S.CONFIRMED)) or 0
    waiting = db.session.scalar(
        select(func.count(Registration.id)).join(Event)
        .where(Event.end_at >= now, Registration.status == S.WAITLISTED)) or 0
    checked_in = db.session.scalar(
        select(func.count(Registration.checked_in_at))) or 0
    url = external_url("events.staff_index")
    return [(_("Événements à venir"), upcoming, url),
            (_("Inscriptions confirmées à venir"), confirmed, url),
            (_("En liste d'attente"), waiting, url),
            (_("Entrées enregistrées à l'accueil (tous événements)"), checked_in, url)]


@signals.staff_figures.connect
def _staff_figures(_sender) -> tuple[str, list[tuple[str, int | str, str]]]:
    return _("Événements"), staff_summary()
