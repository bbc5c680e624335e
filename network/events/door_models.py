"""The door's devices and the scans they send (offline queues included).

A device token is issued by staff for one event (a phone, a volunteer) and stored hashed; a
scan is kept with the client's nonce, so a retried upload changes nothing (unique per device),
and with the time it was scanned, so two devices that admitted the same person offline are
reconciled by scan time.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from network.core.time import UTCDateTime, utcnow
from network.extensions import db


class DoorDevice(db.Model):
    __tablename__ = "door_devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    name: Mapped[str] = mapped_column(String(120))
    # sha256 of the token, hex: the token itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    volunteer_id: Mapped[int | None] = mapped_column(
        ForeignKey("door_volunteers.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DoorScan(db.Model):
    """One scan received from a device: what it was, when, and what came of it."""

    __tablename__ = "door_scans"
    __table_args__ = (UniqueConstraint("device_id", "nonce"),
                      Index("ix_door_scans_registration", "registration_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("door_devices.id", ondelete="CASCADE"))
    nonce: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(12))
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("event_registrations.id", ondelete="CASCADE"))
    # "checked_in" (this scan let the person in) or a refusal code ("already_checked_in" …).
    outcome: Mapped[str] = mapped_column(String(30))
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
