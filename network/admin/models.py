"""The back office's own rows: the accounts journal, news consent, messages to the network."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from network.core.time import UTCDateTime, utcnow
from network.extensions import db


class AccountAction(db.Model):
    """Who did what to an account (deactivate, reactivate, staff role, verification mail).

    Names and addresses are copied: the journal stays readable after an account is erased."""

    __tablename__ = "admin_account_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                index=True)
    user_email: Mapped[str] = mapped_column(String(254))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class NewsConsent(db.Model):
    """Opt-in to "the network's news": no row, or `is_subscribed` False, means no mail."""

    __tablename__ = "admin_news_consents"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    is_subscribed: Mapped[bool] = mapped_column(default=False)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Broadcast(db.Model):
    """A message staff sent to the network, with the filters it used and how many got it."""

    __tablename__ = "admin_broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    filters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    recipients: Mapped[int] = mapped_column(default=0)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
