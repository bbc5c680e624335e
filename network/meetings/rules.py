"""Rules the engine's jobs share: who acts for a participant, who organises, slot arithmetic."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from network.core.auth import System, is_staff, is_user, require
from network.core.errors import NotFound
from network.core.time import as_utc
from network.extensions import db
from network.meetings.models import (
    MeetingOrganiser,
    MeetingParticipant,
    MeetingSession,
    MeetingSlot,
)


def get_session(session_id: int) -> MeetingSession:
    session = db.session.get(MeetingSession, session_id) if 0 < session_id < 2**31 else None
    if session is None:
        raise NotFound(_("Cette session n'existe pas."))
    return session


def get_participant(session: MeetingSession, participant_id: int) -> MeetingParticipant:
    p = db.session.get(MeetingParticipant, participant_id) if 0 < participant_id < 2**31 \
        else None
    if p is None or p.session_id != session.id:
        raise NotFound(_("Ce participant n'existe pas dans cette session."))
    return p


def is_organiser(acting: Any, session: MeetingSession) -> bool:
    """Staff, the people staff named for this session, and the platform's own commands."""
    if is_staff(acting) or isinstance(acting, System):
        return True
    if not is_user(acting):
        return False
    return db.session.scalar(select(MeetingOrganiser.id).where(
        MeetingOrganiser.session_id == session.id,
        MeetingOrganiser.user_id == acting.id)) is not None


def require_organiser(acting: Any, session: MeetingSession) -> None:
    require(is_organiser(acting, session),
            _("Réservé aux organisateur·rices de cette session."), "organisers_only")


def acts_for(acting: Any, participant: MeetingParticipant) -> bool:
    """The participant's own team: members of its organisation, the person, or the guest
    holding a signed link for that address."""
    if participant.organisation_id is not None:
        return is_user(acting) and acting.role_in(participant.organisation_id) is not None
    if participant.user_id is not None:
        return is_user(acting) and acting.id == participant.user_id
    if participant.guest_email:
        email = getattr(acting, "email", None)
        scope = getattr(acting, "scope", "")
        return bool(email and email == participant.guest_email
                    and scope == f"meetings:{participant.session_id}")
    return False


def require_acts_for(acting: Any, participant: MeetingParticipant) -> None:
    require(acts_for(acting, participant),
            _("Seule l'équipe de « %(name)s » peut faire cela.", name=participant.display_name),
            "not_your_participant")


def participants_of(acting: Any, session: MeetingSession) -> list[MeetingParticipant]:
    """The session's participants the acting party acts for (usually none or one)."""
    if not is_user(acting) and not getattr(acting, "email", None):
        return []
    if is_user(acting):
        org_ids = [m.organisation_id for m in acting.memberships]
        query = select(MeetingParticipant).where(
            MeetingParticipant.session_id == session.id,
            (MeetingParticipant.user_id == acting.id)
            | MeetingParticipant.organisation_id.in_(org_ids or [-1]))
    else:
        query = select(MeetingParticipant).where(
            MeetingParticipant.session_id == session.id,
            MeetingParticipant.guest_email == acting.email)
    return [p for p in db.session.scalars(query.order_by(MeetingParticipant.id))
            if acts_for(acting, p)]


def can_see_catalogue(acting: Any, session: MeetingSession) -> bool:
    return is_organiser(acting, session) or bool(participants_of(acting, session))


def require_catalogue(acting: Any, session: MeetingSession) -> None:
    require(can_see_catalogue(acting, session),
            _("Le catalogue est réservé aux participants inscrits à cette session."),
            "participants_only")


def slots_of(session: MeetingSession) -> list[MeetingSlot]:
    return list(session.slots)


def available_slots(participant: MeetingParticipant, slots: list[MeetingSlot]) -> list[int]:
    """Slot indexes that lie wholly between the participant's arrival and departure."""
    arrives = as_utc(participant.arrives_at) if participant.arrives_at else None
    leaves = as_utc(participant.leaves_at) if participant.leaves_at else None
    return [s.index for s in slots
            if (arrives is None or as_utc(s.starts_at) >= arrives)
            and (leaves is None or as_utc(s.ends_at) <= leaves)]


def within(now: datetime, opens: datetime | None, closes: datetime | None) -> bool:
    return (opens is None or now >= as_utc(opens)) and (closes is None or now < as_utc(closes))
