"""Registering, confirming, cancelling: the seat rules of one person on one event.

Entry point for other domains (ESSpresso registers its buyers and suppliers here):

    register(event, answers, *, acting, now=None, send_mail=True) -> Outcome

`acting` decides how much is trusted: a verified account registering itself, staff or the
`System` registering someone are CONFIRMED at once; a visitor (no account) holds a seat until
the mailed link proves the address. Services flush; the request or command edge commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError

from network.core import i18n
from network.core.auth import System, is_staff, is_user, is_verified_user, require_staff
from network.core.errors import Conflict, FieldErrors, NotFound, PermissionDenied, ValidationError
from network.core.text import check_email, single_line
from network.core.time import utcnow
from network.events.models import ACTIVE, Event, EventStatus, Registration, new_uid
from network.events.notices import mail_cancel, mail_confirmed, mail_for_status
from network.events.queries import get_registration
from network.events.rules import (
    S,
    give_back_seat,
    is_member,
    mark_cancelled,
    mark_confirmed,
    owns,
    require_manage,
    setting,
    take_seat,
    uid_domain,
)
from network.events.waitlist import expire_lapsed, free_seat
from network.extensions import db

#: Column lengths of the answers (a longer value gets a message at its field, not a 500).
LIMITS = {"name": 120, "organisation_name": 200, "role": 120, "accessibility_needs": 500,
          "dietary_needs": 300}


@dataclass
class Answers:
    name: str = ""
    email: str = ""
    organisation_name: str = ""
    organisation_kind: str = ""
    role: str = ""
    accessibility_needs: str = ""
    dietary_needs: str = ""
    consents_to_list: bool = False
    consents_to_photos: bool = False
    #: The organisation registered on behalf of (one the acting person belongs to).
    organisation_id: int | None = None


@dataclass
class Outcome:
    registration: Registration
    result: str  # confirmed | pending | waitlisted | resent
    extra: dict = field(default_factory=dict)


def prefill(user: Any) -> Answers:
    """One-click registration: the profile answers the questions."""
    org = user.memberships[0].organisation if user.memberships else None
    return Answers(name=user.name, email=user.email,
                   organisation_name=org.name if org else "",
                   organisation_kind=org.kind.value if org else "",
                   organisation_id=org.id if org else None)


def check_open(event: Event, *, now: datetime, acting: Any = None) -> None:
    if event.status == EventStatus.CANCELLED:
        raise Conflict(_("Cet événement est annulé : les inscriptions sont fermées."),
                       "event_cancelled")
    if event.status != EventStatus.PUBLISHED:
        raise Conflict(_("Cet événement n'est pas encore publié."), "event_not_published")
    if event.registration_opens_at and now < event.registration_opens_at:
        raise Conflict(_("Les inscriptions ne sont pas encore ouvertes : elles ouvriront le "
                         "%(when)s.", when=i18n.when(event.registration_opens_at, "datetime")),
                       "registration_not_open")
    closes = event.registration_closes_at or event.start_at
    if now >= min(closes, event.start_at):
        raise Conflict(_("Les inscriptions à cet événement sont closes."),
                       "registration_closed")
    if event.is_members_only and not (is_member(acting) or isinstance(acting, System)):
        raise PermissionDenied(_("Cet événement est réservé aux membres du réseau : "
                                 "connectez-vous avec un compte rattaché à une structure "
                                 "adhérente."), "members_only")


def open_problem(event: Event, *, now: datetime, acting: Any = None) -> str | None:
    """Why this party cannot register now (shown instead of the form), or None."""
    try:
        check_open(event, now=now, acting=acting)
    except (Conflict, PermissionDenied) as err:
        return err.message
    return None


def check_answers(answers: Answers, event: Event) -> Answers:
    """Every bad field at once; text reaching a mail header is one clean line."""
    errors = FieldErrors()
    answers.name = single_line(answers.name, max_length=10_000)
    for name in ("organisation_name", "role"):
        setattr(answers, name, single_line(getattr(answers, name), max_length=10_000))
    for name in ("accessibility_needs", "dietary_needs"):
        setattr(answers, name, (getattr(answers, name) or "").replace("\x00", "").strip())
    if not answers.name:
        errors.add("name", _("Indiquez votre nom."), "name_required")
    try:
        answers.email = check_email(answers.email)
    except ValidationError as err:
        errors.add("email", err.message, "bad_email")
    for name, limit in LIMITS.items():
        if len(getattr(answers, name)) > limit:
            errors.add(name, _("%(n)s caractères au plus.", n=limit), "too_long")
    errors.check()
    if not event.asks_dietary:
        answers.dietary_needs = ""
    return answers


def _existing(event_id: int, email: str) -> Registration | None:
    return db.session.scalar(select(Registration).where(
        Registration.event_id == event_id, Registration.email == email))


@dataclass(frozen=True)
class Trust:
    """What the acting party vouches for in one registration."""

    address_proven: bool  # CONFIRMED at once, no mail check
    user_id: int | None = None
    registered_by_id: int | None = None
    is_owner: bool = False  # may be told the state of an existing registration


def _addresses_of(user: Any) -> set[str]:
    """The account's address as stored and as the one e-mail rule writes it."""
    found = {(user.email or "").strip().lower()}
    try:
        found.add(check_email(user.email))
    except ValidationError:
        pass
    return found


def _trust(acting: Any, answers: Answers) -> Trust:
    if isinstance(acting, System):
        return Trust(address_proven=True)
    if is_user(acting) and answers.email in _addresses_of(acting):
        if not is_verified_user(acting):
            raise Conflict(_("Confirmez d'abord votre adresse e-mail : ouvrez le lien reçu "
                             "par courriel (vous pouvez le faire renvoyer depuis « Mon "
                             "compte »)."), "unverified")
        return Trust(address_proven=True, user_id=acting.id, is_owner=True)
    if is_staff(acting):
        return Trust(address_proven=True, registered_by_id=acting.id)
    if is_user(acting):
        raise PermissionDenied(_("Pour inscrire d'autres personnes, utilisez l'inscription "
                                 "de groupe."), "not_yourself")
    return Trust(address_proven=False)


def _language(trust: Trust, email: str) -> str:
    """The language of every later mail (reminder, offer, cancellation): the page's, when
    people register themselves; when staff, a group leader or the platform register them,
    their account's if they have one, else the page's (the best guess)."""
    registers_self = trust.is_owner or (not trust.address_proven
                                        and trust.registered_by_id is None)
    return i18n.current() if registers_self else i18n.recipient_locale(email)


def _check_organisation(acting: Any, answers: Answers) -> None:
    if answers.organisation_id is None:
        return
    belongs = is_user(acting) and any(m.organisation_id == answers.organisation_id
                                      for m in acting.memberships)
    if not (belongs or is_staff(acting) or isinstance(acting, System)):
        answers.organisation_id = None


def register(event: Event, answers: Answers, *, acting: Any, now: datetime | None = None,
             send_mail: bool = True) -> Outcome:
    """One seat per address and event; registering again never takes a second seat (the mail
    is sent again, capped per address for those who cannot show the address is theirs)."""
    now = now or utcnow()
    check_open(event, now=now, acting=acting)
    answers = check_answers(answers, event)
    trust = _trust(acting, answers)
    _check_organisation(acting, answers)
    return place(event, answers, trust=trust, now=now, send_mail=send_mail)


def place(event: Event, answers: Answers, *, trust: Trust, now: datetime,
          send_mail: bool = True, mail_context: dict | None = None) -> Outcome:
    """Take a seat (or a place on the waitlist) for checked answers; callers checked rights."""
    expire_lapsed(now=now, event_id=event.id)
    event_id = event.id
    existing = _existing(event_id, answers.email)
    if existing is not None and existing.status in ACTIVE:
        return _resend(existing, now, owner=trust.is_owner)
    took = take_seat(event_id)  # opens the write transaction before the savepoint below
    try:
        with db.session.begin_nested():
            reg = existing or Registration(event_id=event_id, email=answers.email,
                                           ical_uid=f"{new_uid()}@{uid_domain()}")
            for name, value in vars(answers).items():
                setattr(reg, name, value)
            reg.locale = _language(trust, answers.email)
            if trust.user_id is not None:
                reg.user_id = trust.user_id
            # A previous confirmation of this address does not carry over to a stranger.
            reg.is_email_confirmed = trust.address_proven
            reg.registered_by_id = trust.registered_by_id
            reg.cancelled_at = reg.offer_expires_at = reg.hold_expires_at = None
            if took and not trust.address_proven:
                reg.status = S.PENDING
                reg.hold_expires_at = now + timedelta(
                    minutes=int(setting("EVENTS_GUEST_HOLD_MINUTES")))
            elif took:
                reg.status = S.PENDING  # becomes CONFIRMED below, through the one path
            else:
                reg.status, reg.waitlisted_at = S.WAITLISTED, now
            if existing is None:
                db.session.add(reg)
            db.session.flush()
    except IntegrityError:
        # Same e-mail at the same instant: the other request won; this one only resends.
        if took:
            give_back_seat(event_id)
        existing = _existing(event_id, answers.email)
        if existing is None:
            raise
        return _resend(existing, now, owner=trust.is_owner)
    if took and trust.address_proven:
        mark_confirmed(reg, now)
    db.session.refresh(event)
    if send_mail:
        mail_for_status(reg, now, **(mail_context or {}))
    return Outcome(reg, {S.CONFIRMED: "confirmed", S.PENDING: "pending",
                         S.WAITLISTED: "waitlisted"}[reg.status])


def _resend(reg: Registration, now: datetime, *, owner: bool) -> Outcome:
    """The mail again, to the address only; someone who cannot show the address is theirs is
    told nothing about it, and the mails they can trigger are capped per address."""
    if owner or _may_resend(reg, now):
        mail_for_status(reg, now)
    return Outcome(reg, "resent", {"status": reg.status} if owner else {})


def _may_resend(reg: Registration, now: datetime) -> bool:
    """At most EVENTS_RESEND_MAX mails per address and event in EVENTS_RESEND_WINDOW_HOURS,
    counted by a conditional UPDATE (several workers agree)."""
    window = now - timedelta(hours=int(setting("EVENTS_RESEND_WINDOW_HOURS")))
    cap = int(setting("EVENTS_RESEND_MAX"))
    fresh = db.session.execute(
        update(Registration).where(Registration.id == reg.id, or_(
            Registration.resent_window_at.is_(None), Registration.resent_window_at <= window))
        .values(resent_window_at=now, resent_count=1)
        .execution_options(synchronize_session=False)).rowcount
    if fresh:
        return True
    counted = db.session.execute(
        update(Registration).where(Registration.id == reg.id,
                                   and_(Registration.resent_count < cap))
        .values(resent_count=Registration.resent_count + 1)
        .execution_options(synchronize_session=False)).rowcount
    return counted == 1


def confirm_guest(reg: Registration, *, acting: Any, now: datetime | None = None
                  ) -> Registration:
    """The mailed link proves the address; a lapsed hold takes a seat again if any."""
    now = now or utcnow()
    require_manage(acting, reg)
    expire_lapsed(now=now, event_id=reg.event_id)
    db.session.refresh(reg)
    if reg.status == S.CANCELLED:
        raise Conflict(_("Cette inscription a été annulée. Vous pouvez vous inscrire de "
                         "nouveau depuis la page de l'événement."), "registration_cancelled")
    reg.is_email_confirmed = True
    if reg.status == S.PENDING:
        mark_confirmed(reg, now)
        mail_confirmed(reg, now)
    elif reg.status == S.EXPIRED:
        check_open(reg.event, now=now, acting=System("confirm"))
        if take_seat(reg.event_id):
            mark_confirmed(reg, now)
            mail_confirmed(reg, now)
        else:
            reg.status, reg.waitlisted_at = S.WAITLISTED, now
            mail_for_status(reg, now)
    db.session.flush()
    return reg


def cancel_registration(reg: Registration, *, acting: Any, now: datetime | None = None
                        ) -> Registration:
    """The seat goes to the next person on the waitlist, or back to the pool."""
    now = now or utcnow()
    require_manage(acting, reg)
    if reg.status in (S.CANCELLED, S.EXPIRED):
        return reg
    held = reg.holds_seat
    by_staff = is_staff(acting) and not owns(acting, reg)
    mark_cancelled(reg, now)
    mail_cancel(reg, "event_registration_cancelled",
                _l("Inscription annulée : %(title)s", title=reg.event.title), now=now,
                by_staff=by_staff)
    if held:
        free_seat(reg.event, now)
    db.session.flush()
    return reg


def cancel_own(registration_id: int, *, acting: Any, now: datetime | None = None
               ) -> Registration:
    """From « Mon compte »: someone else's registration does not exist for this person."""
    reg = get_registration(registration_id)
    if reg is None or not owns(acting, reg):
        raise NotFound(_("Cette inscription n'existe pas."), "registration_not_found")
    return cancel_registration(reg, acting=acting, now=now)


def accept_offer(reg: Registration, *, acting: Any, now: datetime | None = None
                 ) -> Registration:
    now = now or utcnow()
    require_manage(acting, reg)
    expire_lapsed(now=now, event_id=reg.event_id)
    db.session.refresh(reg)
    if reg.status == S.CONFIRMED:
        return reg
    if reg.status != S.OFFERED:
        raise Conflict(_("Cette proposition de place a expiré ou n'existe plus."),
                       "offer_expired")
    reg.is_email_confirmed = True
    mark_confirmed(reg, now)
    mail_confirmed(reg, now)
    return reg


STAFF_ACTIONS = ("confirm", "waitlist", "cancel", "present", "absent")


def staff_set_status(reg: Registration, action: str, *, acting: Any,
                     now: datetime | None = None) -> Registration:
    """Staff move a registration: confirm (takes a seat), waitlist, cancel, mark presence."""
    require_staff(acting)
    now = now or utcnow()
    if action not in STAFF_ACTIONS:
        raise ValidationError(_("Action inconnue."), "bad_action")
    if action == "cancel":
        return cancel_registration(reg, acting=acting, now=now)
    if action in ("present", "absent"):
        reg.attended = action == "present"
    elif action == "confirm":
        if reg.status == S.CONFIRMED:
            return reg
        if reg.status not in (S.PENDING, S.OFFERED) and not take_seat(reg.event_id):
            raise Conflict(_("L'événement est complet : augmentez la jauge ou libérez une "
                             "place d'abord."), "event_full")
        mark_confirmed(reg, now)
        mail_confirmed(reg, now)
    else:
        if reg.status == S.WAITLISTED:
            return reg
        held = reg.holds_seat
        reg.status, reg.waitlisted_at = S.WAITLISTED, now
        reg.hold_expires_at = reg.offer_expires_at = None
        if held:
            give_back_seat(reg.event_id)
        mail_for_status(reg, now)
    db.session.flush()
    return reg
