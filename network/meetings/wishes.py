"""Wishes: before the deadline, each side marks whom on the other side it wants to meet."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from network.core.auth import require
from network.core.errors import Conflict, ValidationError
from network.core.time import as_utc, utcnow
from network.extensions import db
from network.meetings.models import MeetingParticipant, MeetingSession, MeetingWish
from network.meetings.rules import require_acts_for

PRIORITIES = (1, 2, 3)


def set_wish(session: MeetingSession, source: MeetingParticipant, target: MeetingParticipant,
             priority: int, *, acting: Any, now: datetime | None = None) -> MeetingWish | None:
    """Priority 1, 2 or 3 sets the wish; 0 removes it."""
    now = now or utcnow()
    require_acts_for(acting, source)
    require(source.session_id == session.id and target.session_id == session.id
            and source.side != target.side, _("Un souhait vise un participant de l'autre "
                                              "côté."), "wrong_sides")
    closes = session.wishes_close_at or session.starts_at
    if now >= as_utc(closes) or session.published_at is not None:
        raise Conflict(_("Les souhaits sont clos pour cette session."), "wishes_closed")
    if priority not in (0, *PRIORITIES):
        raise ValidationError(_("Choisissez une priorité de 1 à 3."), "bad_priority",
                              field="priority")
    if priority == 0:
        db.session.execute(delete(MeetingWish).where(MeetingWish.from_id == source.id,
                                                     MeetingWish.to_id == target.id))
        return None
    # An upsert: the same wish sent twice at once (a double click) updates, never fails.
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(MeetingWish).values(session_id=session.id, from_id=source.id,
                                      to_id=target.id, priority=priority, updated_at=now)
    stmt = stmt.on_conflict_do_update(index_elements=["from_id", "to_id"],
                                      set_={"priority": priority, "updated_at": now})
    db.session.execute(stmt)
    return db.session.scalar(select(MeetingWish).where(
        MeetingWish.from_id == source.id, MeetingWish.to_id == target.id)
        .execution_options(populate_existing=True))


def wishes_from(participant: MeetingParticipant) -> dict[int, int]:
    """target id -> priority."""
    return dict(db.session.execute(select(MeetingWish.to_id, MeetingWish.priority).where(
        MeetingWish.from_id == participant.id)).all())


def wishes_to(participant: MeetingParticipant) -> dict[int, int]:
    return dict(db.session.execute(select(MeetingWish.from_id, MeetingWish.priority).where(
        MeetingWish.to_id == participant.id)).all())


def list_wishes(session: MeetingSession) -> list[MeetingWish]:
    return list(db.session.scalars(select(MeetingWish).where(
        MeetingWish.session_id == session.id).order_by(MeetingWish.id)))
