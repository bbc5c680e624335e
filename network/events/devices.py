"""Door devices: a token staff issue for one event (a phone at the door, a volunteer), or that
the scanner page asks for itself so it can keep working offline.

The token is shown once; only its sha256 is stored, so a leaked database admits nobody. It is
scoped to one event, lasts until the door closes (`checkin.door_open_until`) and is revoked
with one button, or with its volunteer. Each request reads the row again (no process memory).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from network.core.auth import DoorVolunteer as DoorParty
from network.core.auth import is_staff, require, require_staff
from network.core.errors import DomainError, FieldErrors, NotFound, PermissionDenied
from network.core.text import single_line
from network.core.time import utcnow
from network.events.checkin import can_work_door, door_open_until
from network.events.door_models import DoorDevice
from network.events.models import DoorVolunteer, Event
from network.extensions import db

PREFIX = "door_"


class Unauthorized(DomainError):
    code = "token_invalid"
    status = 401


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


@dataclass(frozen=True)
class Device:
    """What a request holding a device token may do: check in for `event_id` as `acting`."""

    id: int
    event_id: int
    event_end_at: datetime
    acting: DoorParty


def _new(event: Event, name: str, *, volunteer_id: int | None, user_id: int | None,
         created_by_id: int | None, now: datetime) -> tuple[DoorDevice, str]:
    token = PREFIX + secrets.token_urlsafe(32)
    dev = DoorDevice(event_id=event.id, name=name, token_hash=hash_token(token),
                     volunteer_id=volunteer_id, user_id=user_id, created_by_id=created_by_id,
                     created_at=now)
    db.session.add(dev)
    db.session.flush()
    return dev, token


def issue(event: Event, *, name: str, acting: Any, volunteer_id: int | None = None,
          now: datetime | None = None) -> tuple[DoorDevice, str]:
    """Staff issue a token for a device (or a volunteer); returns the row and the token."""
    now = now or utcnow()
    require_staff(acting)
    errors = FieldErrors()
    name = single_line(name, max_length=120)
    if not name:
        errors.add("name", _("Donnez un nom à l'appareil (ex. « Téléphone entrée A »)."),
                   "name_required")
    if volunteer_id is not None:
        vol = db.session.get(DoorVolunteer, volunteer_id)
        if vol is None or vol.event_id != event.id:
            errors.add("volunteer", _("Ce ou cette bénévole n'accueille pas cet événement."),
                       "volunteer_invalid")
    errors.check()
    if now > door_open_until(event):
        raise PermissionDenied(_("Cet événement est terminé : il n'y a plus d'accueil à tenir."),
                               "event_over")
    return _new(event, name, volunteer_id=volunteer_id, user_id=None,
                created_by_id=acting.id, now=now)


def issue_for_page(event: Event, *, acting: Any, now: datetime | None = None
                   ) -> tuple[DoorDevice, str]:
    """The scanner page asks for its own token (staff or this event's volunteer)."""
    now = now or utcnow()
    require(can_work_door(acting, event, now), _("Réservé à l'équipe d'accueil de cet "
                                                 "événement."), "door_only")
    if is_staff(acting):
        return _new(event, _("Navigateur de %(name)s", name=acting.name)[:120],
                    volunteer_id=None, user_id=acting.id, created_by_id=acting.id, now=now)
    return _new(event, _("Navigateur de %(name)s", name=acting.name)[:120],
                volunteer_id=acting.volunteer_id, user_id=None, created_by_id=None, now=now)


def list_devices(event: Event) -> list[DoorDevice]:
    return list(db.session.scalars(select(DoorDevice).where(DoorDevice.event_id == event.id)
                                   .order_by(DoorDevice.created_at.desc(), DoorDevice.id)))


def get_device(device_id: int) -> DoorDevice:
    dev = db.session.get(DoorDevice, device_id)
    if dev is None:
        raise NotFound(_("Cet appareil n'existe pas."), "device_not_found")
    return dev


def revoke(dev: DoorDevice, *, acting: Any, now: datetime | None = None) -> DoorDevice:
    require_staff(acting)
    if dev.revoked_at is None:
        dev.revoked_at = now or utcnow()
        db.session.flush()
    return dev


_BY_HASH: list[Any] = []


def _by_hash() -> Any:
    """The device, its event's end and its volunteer's state in one Core statement, built once."""
    if not _BY_HASH:
        from sqlalchemy import bindparam

        d, e, v = DoorDevice.__table__, Event.__table__, DoorVolunteer.__table__
        _BY_HASH.append(
            select(d.c.id, d.c.event_id, d.c.name, d.c.volunteer_id, d.c.user_id,
                   d.c.revoked_at, e.c.end_at, v.c.revoked_at.label("vol_revoked"))
            .select_from(d.join(e, e.c.id == d.c.event_id)
                         .outerjoin(v, v.c.id == d.c.volunteer_id))
            .where(d.c.token_hash == bindparam("h")))
    return _BY_HASH[0]


def authenticate(token: str, now: datetime | None = None) -> Device:
    """The device behind a bearer token, in one statement; refused if revoked or over."""
    now = now or utcnow()
    if not token or len(token) > 100:
        raise Unauthorized(_("Jeton d'appareil manquant ou invalide."), "token_invalid")
    row = db.session.connection().execute(_by_hash(), {"h": hash_token(token)}).first()
    if row is None:
        raise Unauthorized(_("Jeton d'appareil manquant ou invalide."), "token_invalid")
    if row.revoked_at is not None or row.vol_revoked is not None:
        raise Unauthorized(_("Cet appareil a été retiré de l'accueil."), "token_revoked")
    if now > door_open_until_at(row.end_at):
        raise Unauthorized(_("L'accueil de cet événement est fermé."), "door_closed")
    return Device(id=row.id, event_id=row.event_id, event_end_at=row.end_at,
                  acting=DoorParty(event_id=row.event_id, volunteer_id=row.volunteer_id,
                                   user_id=row.user_id,
                                   name=row.name))


def door_open_until_at(end_at: datetime) -> datetime:
    from network.events.checkin import GRACE

    return end_at + GRACE
