"""The rules every events job module shares: settings, who may act on a registration, seats,
tokens, the registration mail and the two status changes other domains listen to.

Job modules (`registration`, `waitlist`, `notices`, `calendar`, `guests`, `staff`) import
this module; it imports none of them, so there is no circle.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import or_, select, update
from sqlalchemy.orm.util import identity_key

from network.core import i18n, signals
from network.core.auth import Guest, System, is_staff, is_user, is_verified_user
from network.core.errors import PermissionDenied
from network.core.text import single_line
from network.core.tokens import make_token
from network.core.urls import external_url
from network.directory.models import Structure, StructureStatus
from network.events import badges
from network.events.models import Event, Registration, RegistrationStatus
from network.extensions import db
from network.outbox import services as outbox

S = RegistrationStatus
CONFIRM = "events.confirm"
MANAGE = "events.registration"


@dataclass(frozen=True)
class Visitor:
    """Someone on the site without an account or a link (a guest registering for the first
    time): may ask for a seat, which the mail check then confirms."""

    is_authenticated = False
    is_staff = False
    is_verified = False


VISITOR = Visitor()


def setting(name: str) -> Any:
    return current_app.config[name]


#: config.py's default EVENTS_CONTACT_NAME is a job title of ours, so it is translated; a
#: name set in the environment is the operator's text and shown as typed.
DEFAULT_CONTACT_NAME = "Chargé·e de mission ESS"


def contact() -> dict[str, Any]:
    name = setting("EVENTS_CONTACT_NAME")
    if name == DEFAULT_CONTACT_NAME:
        name = _l("Chargé·e de mission ESS")  # lazy: a mail renders it in its own language
    return {"name": name, "email": setting("EVENTS_CONTACT_EMAIL"),
            "phone": setting("EVENTS_CONTACT_PHONE")}


def uid_domain() -> str:
    return urlsplit(current_app.config["SITE_URL"]).hostname or "reseau-ess-moselle"


# --- who may do what -------------------------------------------------------------------------

def member_organisation_ids(user: Any) -> list[int]:
    """Organisations of the person whose structure the network APPROVED (a pending or refused
    structure is not membership), for registering on behalf of one of them."""
    if not is_verified_user(user):
        return []
    org_ids = [m.organisation_id for m in getattr(user, "memberships", [])]
    if not org_ids:
        return []
    approved = set(db.session.scalars(select(Structure.organisation_id).where(
        Structure.organisation_id.in_(org_ids), Structure.status == StructureStatus.APPROVED)))
    return [org_id for org_id in org_ids if org_id in approved]


def is_member(acting: Any) -> bool:
    """Staff, or a verified member of an approved structure (the directory's one rule)."""
    from network.directory.membership import is_network_member

    return is_staff(acting) or (is_verified_user(acting) and is_network_member(acting))


def owns(acting: Any, reg: Registration) -> bool:
    """The registration is the acting party's: their account, a verified address matching it,
    or the signed link mailed for it."""
    if isinstance(acting, Guest):
        return acting.scope == f"registration:{reg.id}" and acting.email == reg.email
    if not is_user(acting):
        return False
    if reg.user_id is not None and reg.user_id == acting.id:
        return True
    return is_verified_user(acting) and reg.email == acting.email


def require_manage(acting: Any, reg: Registration) -> None:
    """The person themselves, staff, or the platform's own scheduled jobs."""
    if owns(acting, reg) or is_staff(acting) or isinstance(acting, System):
        return
    raise PermissionDenied(_("Cette inscription n'est pas la vôtre."), "not_your_registration")


def guest_for(reg: Registration) -> Guest:
    """The party holding the signed link of this registration."""
    return Guest(email=reg.email, scope=f"registration:{reg.id}")


def mine_clause(user: Any):
    """Registrations of a person: by account, or by address once that address is verified."""
    if is_verified_user(user):
        return or_(Registration.user_id == user.id, Registration.email == user.email)
    return Registration.user_id == user.id


# --- seats: the database answers ------------------------------------------------------------

def _stale_seats(event_id: int) -> None:
    """The counter changed in the database: a loaded event reads it again when next used."""
    loaded = db.session.identity_map.get(identity_key(Event, event_id))
    if loaded is not None:
        db.session.expire(loaded, ["seats_taken"])


def take_seat(event_id: int) -> bool:
    """The one place a seat is taken: a conditional UPDATE; the row count is the answer."""
    result = db.session.execute(
        update(Event)
        .where(Event.id == event_id)
        .where(or_(Event.capacity.is_(None), Event.seats_taken < Event.capacity))
        .values(seats_taken=Event.seats_taken + 1)
        .execution_options(synchronize_session=False))
    _stale_seats(event_id)
    return result.rowcount == 1


def give_back_seat(event_id: int) -> None:
    db.session.execute(
        update(Event).where(Event.id == event_id, Event.seats_taken > 0)
        .values(seats_taken=Event.seats_taken - 1)
        .execution_options(synchronize_session=False))
    _stale_seats(event_id)


# --- status changes other domains hear about ---------------------------------------------------

def mark_confirmed(reg: Registration, now: datetime) -> None:
    """Every path to CONFIRMED goes through here, so the door hears of each one."""
    reg.status, reg.confirmed_at = S.CONFIRMED, now
    reg.hold_expires_at = reg.offer_expires_at = None
    db.session.flush()
    signals.registration_confirmed.send(reg, now=now)


def mark_cancelled(reg: Registration, now: datetime) -> None:
    reg.status, reg.cancelled_at = S.CANCELLED, now
    reg.hold_expires_at = reg.offer_expires_at = None
    db.session.flush()
    signals.registration_cancelled.send(reg, now=now)


# --- links and mail ----------------------------------------------------------------------------

def manage_token(reg: Registration) -> str:
    return make_token(MANAGE, {"r": reg.id, "u": reg.ical_uid})


def confirm_token(reg: Registration) -> str:
    return make_token(CONFIRM, {"r": reg.id, "e": reg.email})


def links(reg: Registration) -> dict[str, str]:
    token = manage_token(reg)
    return {"manage_link": external_url("events.manage", token=token),
            "event_link": external_url("events.detail", event_id=reg.event_id),
            "badge_link": external_url("events.my_badge", token=token),
            "badge_code": badges.display(reg.badge_code)}


def language(reg: Registration) -> str:
    """The language of every mail to this registrant: the one kept on the registration (see
    `registration._language`), whoever's request or job sends the mail."""
    return i18n.valid(reg.locale) or i18n.DEFAULT


def mail(reg: Registration, template: str, subject: Any, *, attachments=None,
         **context: Any) -> None:
    """`subject` is a lazy string (or text staff typed): the outbox renders it, and the
    bodies, in the registrant's language."""
    outbox.enqueue(reg.email, template,
                   subject=LazyString(lambda: single_line(str(subject), max_length=200)),
                   attachments=attachments, locale=language(reg),
                   context={"reg": reg, "event": reg.event, "contact": contact(),
                            **links(reg), **context})
