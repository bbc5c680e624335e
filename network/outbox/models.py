"""Mail waiting to be sent: written in the same transaction as the change that causes it."""

from __future__ import annotations

import enum
import re
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Enum, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from network.core.time import UTCDateTime, utcnow
from network.extensions import db


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after OUTBOX_MAX_ATTEMPTS; staff may retry it

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {OutboxStatus.PENDING: _l("En attente"), OutboxStatus.SENT: _l("Envoyé"),
                 OutboxStatus.FAILED: _l("En échec")}


class OutboxMessage(db.Model):
    """A mail as it was rendered for its recipient (in their language), kept until sent."""

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Fixed at enqueue and sent as the Message-ID header: a repeat after a crash is the same
    # mail to the recipient's software (and to whoever reads the logs).
    message_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(50))
    to_address: Mapped[str] = mapped_column(String(254), index=True)
    subject: Mapped[str] = mapped_column(String(255))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    # [{"filename", "content_type", "data" (base64)}]: invites and badges travel with the row.
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[OutboxStatus] = mapped_column(
        Enum(OutboxStatus, native_enum=False, length=10, validate_strings=True),
        default=OutboxStatus.PENDING,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # A worker claims one row at a time, for a short while (OUTBOX_CLAIM_SECONDS); a
    # crashed worker's row comes back soon, and the rest of the queue was never held.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


_HTML_LANG = re.compile(r'<html[^>]*\blang="([a-z]{2})"')


def mail_language(message: OutboxMessage) -> str:
    """The language the mail was written in (its `<html lang>`), so a page showing it can say
    so to screen readers and translators; French for older rows."""
    found = _HTML_LANG.search(message.body_html or "")
    return found.group(1) if found else "fr"
