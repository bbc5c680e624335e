"""Enqueue mail inside the caller's transaction; deliver it later with retries and backoff."""

from __future__ import annotations

import base64
import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, render_template
from flask_mail import Message
from sqlalchemy import delete, func, or_, select, update

from network.core import signals
from network.core.errors import NotFound
from network.core.time import utcnow
from network.extensions import db, mail
from network.outbox.models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

CLAIM_DURATION = timedelta(minutes=10)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    skipped_reason: str | None = None


def enqueue(
    to: str,
    template: str,
    *,
    subject: str,
    context: dict[str, Any] | None = None,
    attachments: list[Attachment] | None = None,
) -> OutboxMessage:
    """Render `emails/<template>.txt|.html` and add the row; the caller commits."""
    ctx = {"subject": subject, **(context or {})}
    message = OutboxMessage(
        kind=template,
        to_address=to,
        subject=subject,
        body_text=render_template(f"emails/{template}.txt", **ctx),
        body_html=render_template(f"emails/{template}.html", **ctx),
        attachments=[
            {
                "filename": a.filename,
                "content_type": a.content_type,
                "data": base64.b64encode(a.data).decode("ascii"),
            }
            for a in attachments or []
        ],
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=utcnow(),
    )
    db.session.add(message)
    return message


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes, capped at six hours: an outage of a day loses nothing."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def claim_due(now: datetime, limit: int) -> list[int]:
    """Claim due rows so no other worker sends them: SKIP LOCKED, then a conditional update."""
    due = or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now)
    candidates = db.session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.status == OutboxStatus.PENDING)
        .where(OutboxMessage.next_attempt_at <= now)
        .where(due)
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    claimed = []
    for message_id in candidates:
        result = db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .where(OutboxMessage.status == OutboxStatus.PENDING)
            .where(due)
            .values(claimed_until=now + CLAIM_DURATION)
        )
        if result.rowcount == 1:
            claimed.append(message_id)
    db.session.commit()
    return claimed


def _to_mail(message: OutboxMessage) -> Message:
    msg = Message(
        subject=message.subject,
        recipients=[message.to_address],
        body=message.body_text,
        html=message.body_html,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
    )
    for a in message.attachments or []:
        msg.attach(
            filename=a["filename"],
            content_type=a["content_type"],
            data=base64.b64decode(a["data"]),
        )
    return msg


def is_permanent(exc: Exception) -> bool:
    """The server refused the address itself (5xx): trying again would only annoy it."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(500 <= code < 600 for code, _ in exc.recipients.values())
    return False


def deliver_one(message_id: int, now: datetime) -> bool:
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.status != OutboxStatus.PENDING:
        return False
    try:
        mail.send(_to_mail(message))
    except (smtplib.SMTPException, OSError) as exc:
        message.attempts += 1
        message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        message.claimed_until = None
        refused = is_permanent(exc)
        if refused or message.attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
            message.status = OutboxStatus.FAILED
        else:
            message.next_attempt_at = now + backoff(message.attempts)
        db.session.commit()
        if refused:
            signals.mail_refused.send(message, now=now)
        log.warning("mail %s to %s not sent: %s", message.id, message.to_address, exc)
        return False
    message.attempts += 1
    message.status = OutboxStatus.SENT
    message.sent_at = now
    message.claimed_until = None
    message.last_error = None
    db.session.commit()
    return True


def deliver_due(*, now: datetime | None = None, limit: int | None = None) -> DeliveryReport:
    if not current_app.config.get("MAIL_SERVER"):
        return DeliveryReport(skipped_reason="MAIL_SERVER n'est pas configuré")
    now = now or utcnow()
    limit = limit or current_app.config["OUTBOX_BATCH_SIZE"]
    report = DeliveryReport()
    for message_id in claim_due(now, limit):
        if deliver_one(message_id, now):
            report.sent += 1
        else:
            report.failed += 1
    return report


def retry(message_id: int) -> OutboxMessage:
    """Staff put a failed message back in the queue."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound("Ce message n'existe pas.")
    message.status = OutboxStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = utcnow()
    message.claimed_until = None
    db.session.commit()
    return message


def get_message(message_id: int) -> OutboxMessage | None:
    return db.session.get(OutboxMessage, message_id)


def list_messages(*, status: OutboxStatus | None = None, search: str = "", page: int = 1,
                  per_page: int = 50):
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    if search:
        query = query.where(OutboxMessage.to_address.ilike(f"%{search.strip()}%"))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def list_for_address(address: str) -> list[OutboxMessage]:
    return list(db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_address == address)
        .order_by(OutboxMessage.id)
    ))


def count_by_status() -> dict[OutboxStatus, int]:
    rows = db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    ).all()
    counts = {status: 0 for status in OutboxStatus}
    counts.update({status: n for status, n in rows})
    return counts


def purge_sent(*, older_than: timedelta, now: datetime | None = None) -> int:
    """Sent mail holds personal data: keep it only as long as the privacy page says."""
    cutoff = (now or utcnow()) - older_than
    result = db.session.execute(
        delete(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.SENT)
        .where(OutboxMessage.sent_at < cutoff)
    )
    db.session.commit()
    return result.rowcount


def _export(user) -> list[dict[str, Any]]:
    return [{"objet": m.subject, "cree_le": m.created_at.isoformat(), "statut": m.status.value}
            for m in list_for_address(user.email)]


def _erase(user) -> None:
    # Mail still waiting is kept so that nothing promised is lost; the rest goes now.
    db.session.execute(
        delete(OutboxMessage)
        .where(OutboxMessage.to_address == user.email)
        .where(OutboxMessage.status != OutboxStatus.PENDING)
    )


@signals.personal_data_export.connect
def _export_signal(user) -> tuple[str, list[dict[str, Any]]]:
    return "courriels", _export(user)


signals.personal_data_erase.connect(_erase)
