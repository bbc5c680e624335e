"""Who reads a participant's mail, and telling them through the outbox.

Shared by every kind of session (ESSpresso, the forum's job-dating): each kind chooses what
to say (its templates and subjects); the engine knows who speaks for a participant.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from network.extensions import db
from network.meetings.models import MeetingParticipant
from network.outbox import services as outbox


def recipients(participant: MeetingParticipant) -> list[str]:
    """Who reads mail for a participant: its organisation's team (active accounts with a
    verified address), the person, or the guest (whose signed link proved the address)."""
    if participant.organisation is not None:
        return sorted({m.user.email for m in participant.organisation.members
                       if m.user.is_active_account and m.user.is_verified})
    if participant.user_id is not None:
        from network.accounts.models import User

        user = db.session.get(User, participant.user_id)
        return [user.email] if user is not None and user.is_active_account else []
    return [participant.guest_email] if participant.guest_email else []


def tell(participant: MeetingParticipant, template: str, subject: Any, *,
         attachments: list[outbox.Attachment]
         | Callable[[str], list[outbox.Attachment] | None] | None = None,
         **context: Any) -> None:
    """One mail per address of the participant's team, each in its reader's language.

    `subject` is a lazy string: the outbox renders it, and the mail, in each recipient's
    language (and makes it a single line). `attachments` may be a function of the address,
    then called once per address in that recipient's language (an .ics says "Table 3" in
    English, and an invite names its own attendee)."""
    from network.core.i18n import in_locale, recipient_locale

    for address in recipients(participant):
        files = attachments
        if callable(attachments):
            with in_locale(recipient_locale(address)):
                files = attachments(address)
        outbox.enqueue(address, template, subject=subject,
                       context={"participant": participant, **context},
                       attachments=files)
