"""Events and registrations; the seat counter on the event is what the database guards."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.core.time import UTCDateTime, utcnow
from network.directory.models import Territory
from network.events.badges import new_code
from network.extensions import db


class EventKind(enum.StrEnum):
    FORUM = "forum"  # forum emploi-bénévolat
    BREAKFAST = "petit-dejeuner"  # petit-déjeuner territorial
    EVENING = "soiree"  # soirée / conférence
    ESSPRESSO = "esspresso"  # session de rendez-vous d'affaires ESSpresso


KIND_LABELS = {
    EventKind.FORUM: _l("Forum emploi-bénévolat"),
    EventKind.BREAKFAST: _l("Petit-déjeuner territorial"),
    EventKind.EVENING: _l("Soirée / conférence"),
    EventKind.ESSPRESSO: _l("Session ESSpresso"),
}


class EventStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


STATUS_LABELS = {
    EventStatus.DRAFT: _l("Brouillon"),
    EventStatus.PUBLISHED: _l("Publié"),
    EventStatus.CANCELLED: _l("Annulé"),
}


class RegistrationStatus(enum.StrEnum):
    PENDING = "pending"  # guest, e-mail not confirmed yet: holds a seat until hold_expires_at
    CONFIRMED = "confirmed"  # holds a seat
    WAITLISTED = "waitlisted"  # no seat
    OFFERED = "offered"  # a freed seat is held for them until offer_expires_at
    CANCELLED = "cancelled"  # by the person or by staff
    EXPIRED = "expired"  # a guest hold or a waitlist offer lapsed


REGISTRATION_LABELS = {
    RegistrationStatus.PENDING: _l("En attente de confirmation"),
    RegistrationStatus.CONFIRMED: _l("Inscription confirmée"),
    RegistrationStatus.WAITLISTED: _l("Sur liste d'attente"),
    RegistrationStatus.OFFERED: _l("Place proposée"),
    RegistrationStatus.CANCELLED: _l("Annulée"),
    RegistrationStatus.EXPIRED: _l("Expirée"),
}

SEAT_HOLDING = (RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED,
                RegistrationStatus.OFFERED)
ACTIVE = (*SEAT_HOLDING, RegistrationStatus.WAITLISTED)


def new_uid() -> str:
    return secrets.token_hex(12)


class Event(db.Model):
    __tablename__ = "events"
    __table_args__ = (
        # The last guard of capacity: even a buggy caller cannot overbook.
        CheckConstraint("seats_taken >= 0 AND (capacity IS NULL OR seats_taken <= capacity)",
                        name="seats"),
        CheckConstraint("end_at > start_at", name="dates"),
        Index("ix_events_status_start", "status", "start_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[EventKind] = mapped_column(
        Enum(EventKind, native_enum=False, length=20, validate_strings=True))
    title: Mapped[str] = mapped_column(String(200))
    subtitle: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown, sanitised on display
    start_at: Mapped[datetime] = mapped_column(UTCDateTime())
    end_at: Mapped[datetime] = mapped_column(UTCDateTime())
    venue_name: Mapped[str] = mapped_column(String(200), default="")
    venue_room: Mapped[str] = mapped_column(String(200), default="")
    venue_address: Mapped[str] = mapped_column(String(300), default="")
    # The one reference list of territories, kept by the directory's staff.
    territory_id: Mapped[int] = mapped_column(
        ForeignKey("directory_territories.id", ondelete="RESTRICT"), index=True)
    organiser: Mapped[str] = mapped_column(String(200), default="")
    partners: Mapped[str] = mapped_column(String(500), default="")
    capacity: Mapped[int | None] = mapped_column()
    seats_taken: Mapped[int] = mapped_column(default=0)
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    is_members_only: Mapped[bool] = mapped_column(default=False)
    status: Mapped[EventStatus] = mapped_column(
        Enum(EventStatus, native_enum=False, length=10, validate_strings=True),
        default=EventStatus.DRAFT)
    # Questions asked at registration.
    asks_organisation: Mapped[bool] = mapped_column(default=True)
    asks_accessibility: Mapped[bool] = mapped_column(default=True)
    asks_dietary: Mapped[bool] = mapped_column(default=False)
    asks_list_consent: Mapped[bool] = mapped_column(default=True)
    asks_photo_consent: Mapped[bool] = mapped_column(default=True)
    # RFC 5545 SEQUENCE: raised on every change of time or place.
    sequence: Mapped[int] = mapped_column(default=0)
    uid: Mapped[str] = mapped_column(String(40), unique=True, default=new_uid)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    territory: Mapped[Territory] = relationship(lazy="joined")
    registrations: Mapped[list[Registration]] = relationship(
        back_populates="event", cascade="all, delete-orphan", passive_deletes=True)

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])

    @property
    def territory_code(self) -> str:
        return self.territory.code if self.territory is not None else ""

    @property
    def territory_label(self) -> str:
        return self.territory.name if self.territory is not None else ""

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def seats_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(self.capacity - self.seats_taken, 0)

    @property
    def location(self) -> str:
        return ", ".join(p for p in (self.venue_name, self.venue_room, self.venue_address) if p)

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.title!r}>"


class Registration(db.Model):
    __tablename__ = "event_registrations"
    __table_args__ = (
        # One e-mail, one registration per event: registering again never takes a second seat.
        UniqueConstraint("event_id", "email"),
        Index("ix_event_registrations_queue", "event_id", "status", "waitlisted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    registered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    # The organisation registered on behalf of (kept as a key: figures join on it).
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(120))
    organisation_name: Mapped[str] = mapped_column(String(200), default="")
    organisation_kind: Mapped[str] = mapped_column(String(20), default="")
    role: Mapped[str] = mapped_column(String(120), default="")
    accessibility_needs: Mapped[str] = mapped_column(String(500), default="")
    dietary_needs: Mapped[str] = mapped_column(String(300), default="")
    consents_to_list: Mapped[bool] = mapped_column(default=False)
    consents_to_photos: Mapped[bool] = mapped_column(default=False)
    status: Mapped[RegistrationStatus] = mapped_column(
        Enum(RegistrationStatus, native_enum=False, length=12, validate_strings=True))
    is_email_confirmed: Mapped[bool] = mapped_column(default=False)
    hold_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attended: Mapped[bool | None] = mapped_column()  # marked by staff on the day
    # Printed under the QR code of the badge; scanning it at the door checks the person in.
    badge_code: Mapped[str] = mapped_column(String(12), unique=True, default=new_code)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checked_in_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    # door: a volunteer let them in (instead of a staff account); the printed badge; a role
    # set by staff for the badge's band ("speaker", "organiser"), else derived (badge_role).
    checked_in_by_volunteer_id: Mapped[int | None] = mapped_column(
        ForeignKey("door_volunteers.id", ondelete="SET NULL"))
    badge_printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    badge_role: Mapped[str] = mapped_column(String(20), default="")
    # Stable per event and person (RFC 5545 UID); the SEQUENCE last sent to this person.
    ical_uid: Mapped[str] = mapped_column(String(80), unique=True)
    ical_sequence: Mapped[int] = mapped_column(default=0)
    # What the person's calendar last received: None, "REQUEST" or "CANCEL".
    ical_method_sent: Mapped[str | None] = mapped_column(String(7))
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # "Already registered" mails resent to this address: capped per window (no mail bombing).
    resent_count: Mapped[int] = mapped_column(default=0)
    resent_window_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Health answers erased and, for guests, identity anonymised after the retention period.
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The language the person registered in: every later mail (reminder, waitlist offer,
    # cancellation sent by the CLI) is written in it, account or not.
    locale: Mapped[str] = mapped_column(String(5), default="fr", server_default="fr")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship(back_populates="registrations")

    @property
    def status_label(self) -> str:
        return str(REGISTRATION_LABELS[self.status])

    @property
    def holds_seat(self) -> bool:
        return self.status in SEAT_HOLDING

    def __repr__(self) -> str:
        return f"<Registration {self.id} {self.email} {self.status}>"


# --- the door: volunteers and revoked badge codes ---------------------------------------------

class DoorVolunteer(db.Model):
    """Someone staff invited to check people in for one event, proven by a link sent by mail.

    No account: opening the link puts this row's id (and its `secret`) in the session; the
    right ends with the event (`network.events.door.GRACE` after its end) or when revoked.
    """

    __tablename__ = "door_volunteers"
    __table_args__ = (UniqueConstraint("event_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(120))
    # Changed on every new invitation and on revocation: older links and sessions stop working.
    secret: Mapped[str] = mapped_column(String(40), default=new_uid)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    event: Mapped[Event] = relationship()

    def __repr__(self) -> str:
        return f"<DoorVolunteer {self.id} {self.email} event={self.event_id}>"


class RevokedBadge(db.Model):
    """A badge code that no longer admits anyone: its registration was cancelled (and, if the
    person registered again, was given a new code). Scanning it says "badge annulé"."""

    __tablename__ = "revoked_badges"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("event_registrations.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    revoked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
