"""Helpers shared by tests (fixtures live in the root conftest.py)."""

from __future__ import annotations

import re
from email.message import EmailMessage
from urllib.parse import urlsplit


def mail_text(msg: EmailMessage) -> str:
    return msg.get_body(preferencelist=("plain",)).get_content()


def links_in(text: str) -> list[str]:
    return re.findall(r"https?://[^\s<>\"]+", text)


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def outbox_messages(to: str | None = None):
    """Rows of the mail outbox (read in tests; services write them)."""
    from sqlalchemy import select

    from network.extensions import db
    from network.outbox.models import OutboxMessage

    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if to is not None:
        query = query.where(OutboxMessage.to_address == to)
    return list(db.session.scalars(query))


def link_from_outbox(to: str, contains: str) -> str:
    for message in reversed(outbox_messages(to)):
        for link in links_in(message.body_text):
            if contains in link:
                return path_of(link)
    raise AssertionError(f"no link containing {contains!r} in mail to {to}")
