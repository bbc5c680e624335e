"""Door volunteers: staff invite someone by e-mail to check people in for one event.

The link proves the address; opening it puts the volunteer's id and secret in the (signed)
session cookie, nothing in process memory. Each request rebuilds the acting party from the
row, so a revocation or the end of the event takes effect at once on every worker.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from network.core import signals
from network.core.auth import DoorVolunteer as DoorParty
from network.core.auth import require_staff
from network.core.errors import Conflict, DomainError, FieldErrors, NotFound
from network.core.text import check_email, single_line
from network.core.time import utcnow
from network.core.tokens import make_token, read_token
from network.core.urls import external_url
from network.events.checkin import door_open_until
from network.events.models import DoorVolunteer, Event, new_uid
from network.extensions import db
from network.outbox import services as outbox

INVITE = "events.door-invite"
#: The session key holding {"v": volunteer id, "s": secret}.
SESSION_KEY = "door_volunteer"


def list_volunteers(event: Event) -> list[DoorVolunteer]:
    return list(db.session.scalars(select(DoorVolunteer).where(DoorVolunteer.event_id == event.id)
                                   .order_by(DoorVolunteer.name, DoorVolunteer.id)))


def invite_link(vol: DoorVolunteer) -> str:
    return external_url("door.volunteer_link",
                        token=make_token(INVITE, {"v": vol.id, "s": vol.secret}))


def is_active(vol: DoorVolunteer, now: datetime | None = None) -> bool:
    return vol.revoked_at is None and (now or utcnow()) <= door_open_until(vol.event)


def invite(event: Event, *, name: str, email: str, acting: Any,
           now: datetime | None = None) -> DoorVolunteer:
    """Invite (or invite again, with a fresh link) a volunteer; the mail goes to the outbox."""
    now = now or utcnow()
    require_staff(acting)
    errors = FieldErrors()
    name = single_line(name, max_length=120)
    if not name:
        errors.add("name", _("Indiquez le nom du ou de la bénévole."), "name_required")
    try:
        email = check_email(email)
    except DomainError as err:
        errors.add("email", err.message, err.code)
    errors.check()
    if now > door_open_until(event):
        raise Conflict(_("Cet événement est terminé : il n'y a plus d'accueil à tenir."),
                       "event_over")
    vol = db.session.scalar(select(DoorVolunteer).where(DoorVolunteer.event_id == event.id,
                                                        DoorVolunteer.email == email))
    if vol is None:
        vol = DoorVolunteer(event_id=event.id, email=email, invited_at=now)
        db.session.add(vol)
    vol.name = name
    vol.secret = new_uid()  # older links stop working
    vol.revoked_at = None
    vol.invited_by_id = getattr(acting, "id", None)
    vol.invited_at = now
    db.session.flush()
    outbox.enqueue(email, "door_invite",
                   subject=_l("Accueil de « %(title)s » : votre lien", title=event.title),
                   context={"vol": vol, "event": event, "link": invite_link(vol),
                            "until": door_open_until(event)})
    return vol


def revoke(vol: DoorVolunteer, *, acting: Any, now: datetime | None = None) -> DoorVolunteer:
    """The link and every session opened with it stop working at once."""
    from sqlalchemy import update

    from network.events.door_models import DoorDevice

    require_staff(acting)
    vol.revoked_at = now or utcnow()
    vol.secret = new_uid()
    # Their device tokens go too, for good: a new invitation does not bring them back.
    db.session.execute(update(DoorDevice).where(DoorDevice.volunteer_id == vol.id,
                                                DoorDevice.revoked_at.is_(None))
                       .values(revoked_at=vol.revoked_at)
                       .execution_options(synchronize_session=False))
    db.session.flush()
    return vol


def open_link(token: str, *, now: datetime | None = None) -> DoorVolunteer:
    """The volunteer opened the mailed link: the address is proven; returns the row."""
    now = now or utcnow()
    data = read_token(INVITE, token, None)
    vol = db.session.get(DoorVolunteer, int(data.get("v", 0))) if isinstance(data, dict) \
        and isinstance(data.get("v"), int) else None
    if vol is None or vol.secret != data.get("s"):
        raise NotFound(_("Ce lien d'accueil n'est plus valable : il a été renouvelé ou "
                         "retiré. Demandez-en un nouveau à l'équipe."), "door_link_invalid")
    if not is_active(vol, now):
        raise Conflict(_("Ce lien d'accueil a expiré avec la fin de l'événement."),
                       "door_link_expired")
    if vol.verified_at is None:
        vol.verified_at = now
        db.session.flush()
    return vol


def session_value(vol: DoorVolunteer) -> dict[str, Any]:
    return {"v": vol.id, "s": vol.secret}


def acting_from_session(value: Any, now: datetime | None = None) -> DoorParty | None:
    """The volunteer behind this session, if the row still says so (not revoked, not over)."""
    if not isinstance(value, dict) or not isinstance(value.get("v"), int):
        return None
    vol = db.session.get(DoorVolunteer, value["v"])
    if vol is None or vol.secret != value.get("s") or not is_active(vol, now):
        return None
    return DoorParty(event_id=vol.event_id, volunteer_id=vol.id, name=vol.name)


def get_volunteer(volunteer_id: int) -> DoorVolunteer:
    vol = db.session.get(DoorVolunteer, volunteer_id)
    if vol is None:
        raise NotFound(_("Ce ou cette bénévole n'existe pas."), "volunteer_not_found")
    return vol


# --- personal data: a volunteer row is matched by the address --------------------------------

def _volunteer_rows(user) -> list[DoorVolunteer]:
    return list(db.session.scalars(select(DoorVolunteer).where(DoorVolunteer.email == user.email)))


@signals.personal_data_export.connect
def _export(user) -> tuple[str, list[dict[str, Any]]]:
    return "benevole_accueil", [{"evenement": v.event.title, "nom": v.name,
                                 "invite_le": v.invited_at.isoformat()}
                                for v in _volunteer_rows(user)]


@signals.personal_data_erase.connect
def _erase(user) -> None:
    for vol in _volunteer_rows(user):
        db.session.delete(vol)
