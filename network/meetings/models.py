"""Sessions, slots, tables, participants, meetings (bookings), wishes, scheduling runs.

The four unique constraints on `meeting_bookings` are what keeps a table, a participant or a
pair from being booked twice, whatever the requests do at the same instant. A cancelled or
declined meeting leaves that table (its trace goes to `meeting_booking_log`), so the
constraints only ever see live meetings.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Enum,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.core.time import UTCDateTime, utcnow
from network.extensions import db

SIDE_A = "a"  # ESSpresso: buyers (they book); job-dating: visitors
SIDE_B = "b"  # ESSpresso: ESS suppliers; job-dating: exhibitors (a stand is their table)


def _enum(cls: type[enum.StrEnum], length: int = 20) -> Enum:
    return Enum(cls, native_enum=False, length=length, validate_strings=True,
                values_callable=lambda e: [m.value for m in e])


class BookingSource(enum.StrEnum):
    BOOKED = "booked"  # booked by a participant (first come, first served)
    SCHEDULED = "scheduled"  # placed by a scheduling run
    ORGANISER = "organiser"  # added by an organiser


class Attendance(enum.StrEnum):
    HELD = "held"
    MISSED = "missed"


class FollowUp(enum.StrEnum):
    NONE = "none"
    QUOTE = "quote"
    PARTNERSHIP = "partnership"
    CONTRACT = "contract"


class RunStatus(enum.StrEnum):
    PREVIEW = "preview"
    PUBLISHED = "published"
    DISCARDED = "discarded"


class MeetingSession(db.Model):
    __tablename__ = "meeting_sessions"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="dates"),
        CheckConstraint("slot_minutes > 0 AND tables_count > 0", name="sizes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)  # "esspresso", "job-dating"
    # One session per event; the event carries registrations, badges and the door check-in.
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    side_a_role: Mapped[str] = mapped_column(String(30))
    side_b_role: Mapped[str] = mapped_column(String(30))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    slot_minutes: Mapped[int] = mapped_column()
    # [{"start": iso, "end": iso}, ...] in UTC: no slot overlaps a break.
    breaks: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    tables_count: Mapped[int] = mapped_column()
    booking_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    booking_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    wishes_close_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    slots: Mapped[list[MeetingSlot]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="MeetingSlot.index")
    tables: Mapped[list[MeetingTable]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="MeetingTable.number")

    def role_of(self, side: str) -> str:
        return self.side_a_role if side == SIDE_A else self.side_b_role

    def __repr__(self) -> str:
        return f"<MeetingSession {self.id} {self.kind}>"


class MeetingSlot(db.Model):
    __tablename__ = "meeting_slots"
    __table_args__ = (UniqueConstraint("session_id", "index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("meeting_sessions.id",
                                                       ondelete="CASCADE"))
    index: Mapped[int] = mapped_column()  # 0 .. n-1, the scheduler's slot number
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())

    session: Mapped[MeetingSession] = relationship(back_populates="slots")


class MeetingTable(db.Model):
    """A numbered table; for job-dating a stand, owned by one participant (the exhibitor)."""

    __tablename__ = "meeting_tables"
    __table_args__ = (UniqueConstraint("session_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("meeting_sessions.id",
                                                       ondelete="CASCADE"))
    number: Mapped[int] = mapped_column()
    label: Mapped[str] = mapped_column(String(60), default="")
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting_participants.id", ondelete="SET NULL"), index=True)

    session: Mapped[MeetingSession] = relationship(back_populates="tables")


class MeetingOrganiser(db.Model):
    """Someone staff named organiser of one session (staff are organisers of every session)."""

    __tablename__ = "meeting_organisers"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("meeting_sessions.id",
                                                       ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user = relationship("User", lazy="joined")


class MeetingParticipant(db.Model):
    """One side of the meetings: an organisation (whose team acts for it), a person with an
    account, or a guest known by a confirmed e-mail address."""

    __tablename__ = "meeting_participants"
    __table_args__ = (
        UniqueConstraint("session_id", "organisation_id"),
        UniqueConstraint("session_id", "user_id"),
        UniqueConstraint("session_id", "guest_email"),
        CheckConstraint("side IN ('a', 'b')", name="side"),
        CheckConstraint("max_meetings IS NULL OR max_meetings >= 1", name="max_meetings"),
        # The last guard of "most meetings wanted": kept by conditional UPDATEs on booking.
        CheckConstraint("meetings_count >= 0 AND (max_meetings IS NULL "
                        "OR meetings_count <= max_meetings)", name="meetings_cap"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("meeting_sessions.id",
                                                       ondelete="CASCADE"), index=True)
    side: Mapped[str] = mapped_column(String(1))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    guest_email: Mapped[str | None] = mapped_column(String(254))
    display_name: Mapped[str] = mapped_column(String(200))
    contact_name: Mapped[str] = mapped_column(String(120), default="")
    max_meetings: Mapped[int | None] = mapped_column()
    meetings_count: Mapped[int] = mapped_column(default=0, server_default="0")
    arrives_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    leaves_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("event_registrations.id", ondelete="SET NULL"))
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                    ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # When the one reminder to report the meetings' outcomes was sent (never twice).
    outcomes_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    session: Mapped[MeetingSession] = relationship()
    organisation = relationship("Organisation", lazy="joined")

    def __repr__(self) -> str:
        return f"<MeetingParticipant {self.id} {self.side} {self.display_name!r}>"


class Meeting(db.Model):
    """A live meeting: booked, placed by the scheduler or added by an organiser."""

    __tablename__ = "meeting_bookings"
    __table_args__ = (
        UniqueConstraint("session_id", "slot_index", "table_number", name="uq_meeting_table"),
        UniqueConstraint("session_id", "slot_index", "a_id", name="uq_meeting_a_busy"),
        UniqueConstraint("session_id", "slot_index", "b_id", name="uq_meeting_b_busy"),
        UniqueConstraint("session_id", "a_id", "b_id", name="uq_meeting_pair"),
        CheckConstraint("slot_index >= 0 AND table_number >= 1", name="place"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("meeting_sessions.id",
                                                       ondelete="CASCADE"))
    slot_index: Mapped[int] = mapped_column()
    table_number: Mapped[int] = mapped_column()
    a_id: Mapped[int] = mapped_column(ForeignKey("meeting_participants.id",
                                                 ondelete="CASCADE"), index=True)
    b_id: Mapped[int] = mapped_column(ForeignKey("meeting_participants.id",
                                                 ondelete="CASCADE"), index=True)
    source: Mapped[BookingSource] = mapped_column(_enum(BookingSource, 12))
    is_published: Mapped[bool] = mapped_column(default=False)
    booked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The day in the room: an organiser marks it held or missed (None: not said yet).
    attendance: Mapped[Attendance | None] = mapped_column(_enum(Attendance, 10))
    # iCalendar SEQUENCE of the meeting's invite: one more each time it moves.
    sequence: Mapped[int] = mapped_column(default=0, server_default="0")

    a: Mapped[MeetingParticipant] = relationship(foreign_keys=[a_id], lazy="joined")
    b: Mapped[MeetingParticipant] = relationship(foreign_keys=[b_id], lazy="joined")

    def __repr__(self) -> str:
        return f"<Meeting {self.id} slot {self.slot_index} table {self.table_number}>"


class MeetingLog(db.Model):
    """What happened to meetings that are no longer live (declined, cancelled, replaced)."""

    __tablename__ = "meeting_booking_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("meeting_sessions.id",
                                                       ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(20))  # declined | cancelled
    a_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_participants.id",
                                                        ondelete="SET NULL"))
    b_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_participants.id",
                                                        ondelete="SET NULL"))
    slot_index: Mapped[int] = mapped_column()
    table_number: Mapped[int] = mapped_column()
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(500), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MeetingWish(db.Model):
    __tablename__ = "meeting_wishes"
    __table_args__ = (
        UniqueConstraint("from_id", "to_id"),
        CheckConstraint("priority BETWEEN 1 AND 3", name="priority"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("meeting_sessions.id",
                                                       ondelete="CASCADE"), index=True)
    from_id: Mapped[int] = mapped_column(ForeignKey("meeting_participants.id",
                                                    ondelete="CASCADE"))
    to_id: Mapped[int] = mapped_column(ForeignKey("meeting_participants.id",
                                                  ondelete="CASCADE"), index=True)
    priority: Mapped[int] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SchedulingRun(db.Model):
    """A scheduler's proposal, kept in the database between the preview and the publishing
    (several workers: nothing lives in process memory)."""

    __tablename__ = "meeting_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("meeting_sessions.id",
                                                       ondelete="CASCADE"), index=True)
    status: Mapped[RunStatus] = mapped_column(_enum(RunStatus, 12), default=RunStatus.PREVIEW)
    # The live meetings the run started from: publishing refuses if they changed since.
    basis: Mapped[str] = mapped_column(Text, default="")
    # [[a_id, b_id, slot_index, table_number], ...]: the new meetings it proposes.
    proposal: Mapped[list[list[int]]] = mapped_column(JSON, default=list)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    seconds: Mapped[float] = mapped_column(default=0.0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                 ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class MeetingOutcome(db.Model):
    """What one side says of a meeting afterwards: held or not, the follow-up, an amount."""

    __tablename__ = "meeting_outcomes"
    __table_args__ = (UniqueConstraint("meeting_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("meeting_sessions.id",
                                                       ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting_bookings.id",
                                                       ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("meeting_participants.id",
                                                           ondelete="CASCADE"), index=True)
    was_held: Mapped[bool] = mapped_column()
    follow_up: Mapped[FollowUp] = mapped_column(_enum(FollowUp, 12), default=FollowUp.NONE)
    amount: Mapped[str] = mapped_column(String(12), default="")  # an ESSpresso bracket, or ""
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                  ondelete="SET NULL"))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
