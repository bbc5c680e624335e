"""Enqueue mail inside the caller's transaction; deliver it later with retries and backoff."""

from __future__ import annotations

import base64
import logging
import smtplib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import gettext as _
from flask_mail import Message
from sqlalchemy import delete, func, or_, select, update

from network.core import signals
from network.core.auth import require_staff
from network.core.errors import NotFound
from network.core.i18n import in_locale, recipient_locale
from network.core.text import check_email, is_valid_email, single_line
from network.core.time import utcnow
from network.core.uow import unit_of_work
from network.extensions import db, mail
from network.outbox import preview
from network.outbox.models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

def claim_duration() -> timedelta:
    """How long a worker owns the one message it is sending (OUTBOX_CLAIM_SECONDS, 2 minutes):
    a worker killed mid-send leaves at most that message behind, and only for this long; the
    rest of the queue was never held."""
    return timedelta(seconds=current_app.config["OUTBOX_CLAIM_SECONDS"])


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


def _message_id_domain() -> str:
    address = parseaddr(current_app.config.get("MAIL_DEFAULT_SENDER") or "")[1]
    domain = address.rpartition("@")[2] or urlsplit(current_app.config["SITE_URL"]).hostname
    return single_line(domain or "localhost", max_length=200).replace(" ", "") or "localhost"


def new_message_id() -> str:
    return f"<{uuid.uuid4().hex}@{_message_id_domain()}>"


def enqueue(
    to: str,
    template: str,
    *,
    subject: str,
    context: dict[str, Any] | None = None,
    attachments: list[Attachment] | None = None,
    field: str = "email",
    preview_safe: bool = False,
    locale: str | None = None,
) -> OutboxMessage:
    """Render `emails/<template>.txt|.html` and add the row; the caller's edge commits.

    The recipient must be one valid mailbox (`check_email`: no list, no display name, no
    formula): otherwise a `ValidationError` on `field`. The subject may hold text people typed
    (a name, a structure): it is made a single line, so nothing can add a header.
    `preview_safe` marks a mail that grants no access (no sign-in, reset, confirmation or
    invitation link): only those are shown by the development preview (see preview.py).
    The mail speaks its recipient's language (`i18n.recipient_locale`: `locale`, else the
    account holding the address, else the page's language): pass `subject` as a lazy string
    so that it is translated there too.
    """
    to = check_email(to, field=field)
    language = recipient_locale(to, locale)
    with in_locale(language):
        subject = single_line(str(subject))
        ctx = {"subject": subject, "mail_locale": language, **(context or {})}
        body_text = render_template(f"emails/{template}.txt", **ctx)
        body_html = render_template(f"emails/{template}.html", **ctx)
    message = OutboxMessage(
        message_id=new_message_id(),
        kind=template,
        to_address=to,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        attachments=[
            {
                "filename": single_line(a.filename, max_length=120),
                "content_type": single_line(a.content_type, max_length=120),
                "data": base64.b64encode(a.data).decode("ascii"),
            }
            for a in attachments or []
        ],
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=utcnow(),
    )
    db.session.add(message)
    preview.caused(message, safe=preview_safe)
    return message


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes, capped at six hours: an outage of a day loses nothing."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def _due(now: datetime):
    return or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now)


def claim_next(now: datetime) -> int | None:
    """Claim the next due message for claim_duration(), or None: SKIP LOCKED on PostgreSQL,
    then a conditional UPDATE (the write lock on SQLite) so two workers never share one."""
    for _attempt in range(10):
        candidate = db.session.scalar(
            select(OutboxMessage.id)
            .where(OutboxMessage.status == OutboxStatus.PENDING)
            .where(OutboxMessage.next_attempt_at <= now)
            .where(_due(now))
            .order_by(OutboxMessage.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if candidate is None:
            return None
        result = db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == candidate)
            .where(OutboxMessage.status == OutboxStatus.PENDING)
            .where(_due(now))
            .values(claimed_until=now + claim_duration())
        )
        if result.rowcount == 1:
            return candidate
    return None


def _to_mail(message: OutboxMessage) -> Message:
    """The mail as it leaves; refuses (ValueError) a row whose address or subject is unsafe,
    whatever wrote it (older rows, a bug elsewhere)."""
    if not is_valid_email(message.to_address):
        raise ValueError(f"adresse de destination invalide : {message.to_address!r}")
    if single_line(message.subject) != message.subject:
        raise ValueError("objet sur plusieurs lignes (caractères de contrôle)")
    msg = Message(
        subject=message.subject,
        recipients=[message.to_address],
        body=message.body_text,
        html=message.body_html,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
    )
    msg.msgId = message.message_id or new_message_id()
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


def _record_failure(message: OutboxMessage, exc: Exception, now: datetime, *,
                    permanent: bool) -> None:
    message.attempts += 1
    message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    message.claimed_until = None
    if permanent or message.attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
        message.status = OutboxStatus.FAILED
    else:
        message.next_attempt_at = now + backoff(message.attempts)
    log.warning("mail %s to %r not sent: %s", message.id, message.to_address, exc)


def deliver_one(message_id: int, now: datetime) -> bool:
    """Send one claimed message and record the outcome (flushes; the worker commits).

    An SMTP error or outage is tried again later (backoff); a refusal of the address (5xx)
    or a message that cannot be built (bad header, bad address) fails at once, alone."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.status != OutboxStatus.PENDING:
        return False
    try:
        mail.send(_to_mail(message))
    except (smtplib.SMTPException, OSError) as exc:
        refused = is_permanent(exc)
        _record_failure(message, exc, now, permanent=refused)
        if refused:
            signals.mail_refused.send(message, now=now)
        db.session.flush()
        return False
    except Exception as exc:  # BadHeaderError, ValueError…: this row can never be sent
        _record_failure(message, exc, now, permanent=True)
        db.session.flush()
        return False
    message.attempts += 1
    message.status = OutboxStatus.SENT
    message.sent_at = now
    message.claimed_until = None
    message.last_error = None
    db.session.flush()
    return True


def deliver_due(*, now: datetime | None = None, limit: int | None = None) -> DeliveryReport:
    """The worker's pass, and its edge: each message is one unit of work (claim, commit;
    send, record, commit), so one bad message fails alone and a crash resends at most one."""
    if not current_app.config.get("MAIL_SERVER"):
        return DeliveryReport(skipped_reason="MAIL_SERVER n'est pas configuré")
    limit = limit or current_app.config["OUTBOX_BATCH_SIZE"]
    report = DeliveryReport()
    for _message in range(limit):
        moment = now or utcnow()
        with unit_of_work():
            message_id = claim_next(moment)
        if message_id is None:
            break
        with unit_of_work():
            sent = deliver_one(message_id, moment)
        if sent:
            report.sent += 1
        else:
            report.failed += 1
    return report


def retry(message_id: int, *, acting: Any) -> OutboxMessage:
    """Staff put a failed message back in the queue."""
    require_staff(acting)
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound(_("Ce message n'existe pas."))
    message.status = OutboxStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = utcnow()
    message.claimed_until = None
    db.session.flush()
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


def list_by_ids(ids: list[int]) -> list[OutboxMessage]:
    if not ids:
        return []
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids))))


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
