"""Participants: who sits on which side, when they are there, how many meetings they want."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from network.core import signals
from network.core.errors import Conflict, FieldErrors
from network.core.time import as_utc, utcnow
from network.extensions import db
from network.meetings.models import SIDE_A, SIDE_B, MeetingParticipant, MeetingSession


@dataclass
class Presence:
    """Arrival, departure (None: the whole session) and the most meetings wanted."""

    arrives_at: datetime | None = None
    leaves_at: datetime | None = None
    max_meetings: int | None = None


def check_presence(session: MeetingSession, presence: Presence, errors: FieldErrors) -> None:
    start, end = as_utc(session.starts_at), as_utc(session.ends_at)
    a, b = presence.arrives_at, presence.leaves_at
    if a is not None and not start <= a < end:
        errors.add("arrives_at", _("L'arrivée doit être pendant la session."), "bad_arrival")
    if b is not None and not start < b <= end:
        errors.add("leaves_at", _("Le départ doit être pendant la session."), "bad_departure")
    if a is not None and b is not None and b <= a:
        errors.add("leaves_at", _("Le départ doit suivre l'arrivée."), "bad_departure")
    if presence.max_meetings is not None and not 1 <= presence.max_meetings <= len(
            session.slots):
        errors.add("max_meetings", ngettext(
            "Entre 1 et %(num)d rendez-vous (le nombre de créneaux).",
            "Entre 1 et %(num)d rendez-vous (le nombre de créneaux).", len(session.slots)),
            "bad_max")
    if not errors and (a is not None or b is not None):
        from network.meetings.rules import available_slots

        probe = MeetingParticipant(arrives_at=a, leaves_at=b)
        if not available_slots(probe, list(session.slots)):
            errors.add("leaves_at", _("Aucun créneau entier entre votre arrivée et votre "
                                      "départ."), "no_slot")


def find(session: MeetingSession, *, organisation_id: int | None = None,
         user_id: int | None = None) -> MeetingParticipant | None:
    query = select(MeetingParticipant).where(MeetingParticipant.session_id == session.id)
    if organisation_id is not None:
        query = query.where(MeetingParticipant.organisation_id == organisation_id)
    else:
        query = query.where(MeetingParticipant.user_id == user_id)
    return db.session.scalar(query)


def join(session: MeetingSession, side: str, *, display_name: str, presence: Presence,
         organisation_id: int | None = None, user_id: int | None = None,
         guest_email: str | None = None, contact_name: str = "",
         registered_by_id: int | None = None) -> MeetingParticipant:
    """Add a participant (rights are checked by the caller, who knows the roles)."""
    assert side in (SIDE_A, SIDE_B)
    existing = find(session, organisation_id=organisation_id, user_id=user_id) \
        if organisation_id is not None or user_id is not None else None
    if existing is not None:
        raise Conflict(_("« %(name)s » participe déjà à cette session.", name=display_name),
                       "already_participant")
    # A conditional insert: the same registration sent twice at once adds one participant,
    # and the second request is told so instead of failing on the unique constraint.
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(MeetingParticipant).values(
        session_id=session.id, side=side, organisation_id=organisation_id, user_id=user_id,
        guest_email=guest_email, display_name=display_name[:200],
        contact_name=contact_name[:120], max_meetings=presence.max_meetings,
        arrives_at=presence.arrives_at, leaves_at=presence.leaves_at,
        registered_by_id=registered_by_id, created_at=utcnow()
    ).on_conflict_do_nothing().returning(MeetingParticipant.id)
    new_id = db.session.execute(stmt).scalar()
    if new_id is None:
        raise Conflict(_("« %(name)s » participe déjà à cette session.", name=display_name),
                       "already_participant")
    return db.session.get(MeetingParticipant, new_id)


def update_presence(participant: MeetingParticipant, presence: Presence) -> None:
    db.session.refresh(participant)
    if presence.max_meetings is not None and presence.max_meetings < participant.meetings_count:
        errors = FieldErrors()
        errors.add("max_meetings", ngettext(
            "Vous avez déjà %(num)d rendez-vous : annulez-en avant de baisser ce nombre.",
            "Vous avez déjà %(num)d rendez-vous : annulez-en avant de baisser ce nombre.",
            participant.meetings_count), "below_count")
        errors.check()
    participant.arrives_at = presence.arrives_at
    participant.leaves_at = presence.leaves_at
    participant.max_meetings = presence.max_meetings
    db.session.flush()


# --- personal data ---------------------------------------------------------------------------


def _registered_by(user) -> list[MeetingParticipant]:
    return list(db.session.scalars(select(MeetingParticipant).where(
        (MeetingParticipant.registered_by_id == user.id)
        | (MeetingParticipant.user_id == user.id)).order_by(MeetingParticipant.id)))


def export_user(user) -> list[dict]:
    """The participations a person registered (their name as contact) or holds themselves."""
    return [{"session": p.session.title, "participant": p.display_name,
             "contact": p.contact_name, "inscrit_le": p.created_at.isoformat()}
            for p in _registered_by(user)]


def erase_user(user) -> None:
    """The organisation's participation stays (its team goes on); the person's name goes.
    A participant that is the person themselves is deleted with their meetings."""
    for p in _registered_by(user):
        if p.user_id == user.id and p.organisation_id is None:
            db.session.delete(p)
        else:
            p.contact_name, p.registered_by_id = "", None
    db.session.flush()


@signals.personal_data_export.connect
def _export_signal(user) -> tuple[str, list[dict]]:
    return "rendez_vous_d_affaires", export_user(user)


signals.personal_data_erase.connect(erase_user)
