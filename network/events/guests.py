"""People without an account on an event: colleagues registered by a group, a guest's own
data (export and erase from the signed link), the retention of health answers, and the
account side of personal data (export, erase, attach once the address is verified)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from network.core import signals
from network.core.auth import System, is_staff, require, require_verified
from network.core.errors import FieldErrors, PermissionDenied, ValidationError
from network.core.text import check_email, single_line
from network.core.time import utcnow
from network.events.models import Event, Registration, new_uid
from network.events.registration import (
    LIMITS,
    Answers,
    Outcome,
    Trust,
    check_answers,
    check_open,
    place,
)
from network.events.rules import (
    S,
    mark_cancelled,
    member_organisation_ids,
    mine_clause,
    owns,
    setting,
    uid_domain,
)
from network.events.waitlist import free_seat
from network.extensions import db

# --- group registration ----------------------------------------------------------------------

def parse_people(text: str, *, limit: int | None = None) -> list[tuple[str, str]]:
    """Lines "Prénom Nom <adresse>" or "Prénom Nom ; adresse": every bad line reported at
    once, every address checked, at most `limit` people."""
    people: list[tuple[str, str]] = []
    problems: list[str] = []
    lines = [line.strip() for line in (text or "").replace("\x00", "").splitlines()]
    lines = [line for line in lines if line]
    if limit is not None and len(lines) > limit:
        raise ValidationError(ngettext(
            "Au plus %(num)d personne par envoi : découpez la liste.",
            "Au plus %(num)d personnes par envoi : découpez la liste.", limit),
            "too_many_people", field="people")
    for n, line in enumerate(lines, 1):
        if "<" in line and line.endswith(">"):
            name, email = line[:-1].split("<", 1)
        elif ";" in line:
            name, email = line.split(";", 1)
        else:
            problems.append(_("Ligne %(n)s : écrivez « Prénom Nom <adresse e-mail> ».", n=n))
            continue
        name = single_line(name, max_length=10_000)
        if not name or len(name) > LIMITS["name"]:
            problems.append(_("Ligne %(n)s : un nom de 1 à %(max)s caractères.", n=n,
                              max=LIMITS["name"]))
            continue
        try:
            email = check_email(email)
        except ValidationError:
            problems.append(_("Ligne %(n)s : l'adresse e-mail n'est pas valide.", n=n))
            continue
        if email in {e for _n, e in people}:
            problems.append(_("Ligne %(n)s : cette adresse figure déjà plus haut.", n=n))
            continue
        people.append((name, email))
    if problems:
        errors = FieldErrors()
        for problem in problems:
            errors.add("people", problem, "bad_line")
        errors.check()
    if not people:
        raise ValidationError(_("Indiquez au moins une personne."), "no_people", field="people")
    return people


def group_organisations(user: Any) -> list[Any]:
    """The member's structures the network approved, in which colleagues may be registered."""
    org_ids = member_organisation_ids(user)
    return [m.organisation for m in getattr(user, "memberships", [])
            if m.organisation_id in org_ids]


def group_register(event: Event, people_text: str, *, acting: Any, role: str = "",
                   organisation_id: int | None = None,
                   now: datetime | None = None) -> list[Outcome]:
    """A verified member of an approved structure (or staff) lists colleagues; each one gets
    a mail and confirms their own seat, which is held for them like a guest's meanwhile.
    A member of several structures says for which one (`organisation_id`); by default, the
    first."""
    now = now or utcnow()
    require_verified(acting)
    orgs = group_organisations(acting)
    if not orgs and not is_staff(acting):
        raise PermissionDenied(_("L'inscription de groupe est réservée aux membres d'une "
                                 "structure adhérente du réseau."), "no_organisation")
    check_open(event, now=now, acting=acting)
    people = parse_people(people_text, limit=int(setting("EVENTS_GROUP_MAX")))
    role = single_line(role, max_length=10_000)
    if len(role) > LIMITS["role"]:
        raise ValidationError(_("%(n)s caractères au plus.", n=LIMITS["role"]), "too_long",
                              field="role")
    org = orgs[0] if orgs else None
    if organisation_id is not None:
        org = next((o for o in orgs if o.id == organisation_id), None)
        if org is None:
            raise ValidationError(_("Choisissez une des structures dont vous êtes membre."),
                                  "not_your_organisation", field="organisation_id")
    outcomes = []
    for name, email in people:
        answers = check_answers(Answers(
            name=name, email=email, organisation_name=org.name if org else "",
            organisation_kind=org.kind.value if org else "", role=role,
            organisation_id=org.id if org else None), event)
        outcome = place(event, answers, now=now,
                        trust=Trust(address_proven=False, registered_by_id=acting.id),
                        mail_context={"invited_by": acting.name})
        outcome.extra["invited_name"] = name  # what the leader typed, not what is stored
        outcomes.append(outcome)
    return outcomes


# --- a guest's own data, from their signed link -------------------------------------------------

def _export(reg: Registration) -> dict:
    return {"evenement": reg.event.title, "debut": reg.event.start_at.isoformat(),
            "statut": reg.status_label, "nom": reg.name, "email": reg.email,
            "organisation": reg.organisation_name, "fonction": reg.role,
            "accessibilite": reg.accessibility_needs, "alimentation": reg.dietary_needs,
            "liste_participants": reg.consents_to_list, "photos": reg.consents_to_photos,
            "inscrit_le": reg.created_at.isoformat(),
            "entree_accueil": reg.checked_in_at.isoformat() if reg.checked_in_at else None}


def export_guest_data(reg: Registration, *, acting: Any) -> dict:
    require(owns(acting, reg), _("Cette inscription n'est pas la vôtre."), "not_your_registration")
    return {"inscription": _export(reg)}


def _anonymise(reg: Registration, now: datetime) -> None:
    """Who and health go; what figures count stays (status, kind, organisation, check-in)."""
    reg.name = ""
    reg.email = f"efface-{reg.id}@anonyme.invalid"
    reg.role = reg.organisation_name = ""
    reg.accessibility_needs = reg.dietary_needs = ""
    reg.consents_to_list = reg.consents_to_photos = False
    reg.user_id = None
    reg.ical_uid = f"{new_uid()}@{uid_domain()}"  # the old links stop working
    reg.purged_at = now


def erase_guest_data(reg: Registration, *, acting: Any, now: datetime | None = None) -> None:
    """The guest's « effacer mes données »: the seat is freed, the row anonymised."""
    now = now or utcnow()
    require(owns(acting, reg), _("Cette inscription n'est pas la vôtre."), "not_your_registration")
    if reg.holds_seat or reg.status == S.WAITLISTED:
        held = reg.holds_seat
        mark_cancelled(reg, now)
        if held:
            free_seat(reg.event, now)
    _anonymise(reg, now)
    db.session.flush()


def purge_personal_data(*, acting: Any, now: datetime | None = None) -> int:
    """`flask events purge-personal-data`: EVENTS_RETENTION_DAYS after an event's end, the
    accessibility and dietary answers are erased and guest registrations anonymised."""
    require(isinstance(acting, System) or is_staff(acting), _("Réservé aux tâches planifiées."),
            "system_only")
    now = now or utcnow()
    limit = now - timedelta(days=int(setting("EVENTS_RETENTION_DAYS")))
    regs = db.session.scalars(
        select(Registration).join(Event)
        .where(Event.end_at < limit, Registration.purged_at.is_(None))).all()
    for reg in regs:
        if reg.user_id is None:
            _anonymise(reg, now)
        else:
            reg.accessibility_needs = reg.dietary_needs = ""
            reg.purged_at = now
    db.session.flush()
    return len(regs)


# --- account holders ----------------------------------------------------------------------------

def _user_registrations(user: Any) -> list[Registration]:
    return list(db.session.scalars(select(Registration).where(mine_clause(user))))


def export_user(user: Any) -> list[dict]:
    return [_export(r) for r in _user_registrations(user)]


def erase_user(user: Any) -> None:
    """Free their seats (the next person waiting gets the offer), then delete the rows."""
    now = utcnow()
    for reg in _user_registrations(user):
        if reg.holds_seat and reg.event.start_at > now:
            mark_cancelled(reg, now)
            free_seat(reg.event, now)
        db.session.delete(reg)
    db.session.flush()


@signals.personal_data_export.connect
def _export_signal(user) -> tuple[str, list[dict]]:
    return "evenements", export_user(user)


signals.personal_data_erase.connect(erase_user)


@signals.email_verified.connect
def attach_guest_registrations(user, **_kwargs: Any) -> None:
    """The address is now proven theirs: what a guest registered with it joins the account."""
    db.session.execute(
        Registration.__table__.update()
        .where(Registration.email == user.email, Registration.user_id.is_(None),
               Registration.purged_at.is_(None))
        .values(user_id=user.id))
