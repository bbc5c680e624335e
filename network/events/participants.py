"""Who is coming, on paper and on screen: badges to print, the sign-in sheet, and the list of
participants who agreed to be on it (shown only to others who agreed too)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, select

from network.core import i18n
from network.core.auth import System, is_staff, require, require_staff
from network.core.errors import FieldErrors, PermissionDenied
from network.core.time import utcnow
from network.events import badges, printing
from network.events.checkin import badge_url
from network.events.models import Event, Registration, RegistrationStatus
from network.extensions import db

S = RegistrationStatus

ROLE_LABELS = {
    "structure": _l("Structure ESS"),
    "company": _l("Entreprise"),
    "public": _l("Collectivité"),
    "speaker": _l("Intervenant·e"),
    "organiser": _l("Organisation"),
    "participant": _l("Participant·e"),
}


def role_of(reg: Registration) -> str:
    return badges.derive_role(reg.organisation_kind, reg.organisation_name, reg.badge_role)


def role_label(reg: Registration) -> str:
    return str(ROLE_LABELS[role_of(reg)])


def when(event: Event) -> str:
    text = i18n.when(event.start_at, "datetime")
    return f"{text} — {event.venue_name}" if event.venue_name else text


def confirmed(event: Event) -> list[Registration]:
    return list(db.session.scalars(
        select(Registration).where(Registration.event_id == event.id,
                                   Registration.status == S.CONFIRMED)
        .order_by(func.lower(Registration.name), Registration.id)))


def organisations(event: Event) -> list[str]:
    return sorted({r.organisation_name for r in confirmed(event) if r.organisation_name},
                  key=str.lower)


# --- badges -----------------------------------------------------------------------------------

@dataclass
class PrintChoice:
    """Whom to print: everyone confirmed, or only those not printed yet, narrowed to one
    organisation, one role or one person."""

    only_unprinted: bool = False
    organisation: str = ""
    role: str = ""
    registration_id: int | None = None


def select_for_print(event: Event, choice: PrintChoice) -> list[Registration]:
    errors = FieldErrors()
    if choice.role and choice.role not in ROLE_LABELS:
        errors.add("role", _("Choisissez un rôle de la liste."), "bad_role")
    errors.check()
    regs = confirmed(event)
    if choice.registration_id is not None:
        regs = [r for r in regs if r.id == choice.registration_id]
    if choice.only_unprinted:
        regs = [r for r in regs if r.badge_printed_at is None]
    if choice.organisation:
        wanted = choice.organisation.strip().lower()
        regs = [r for r in regs if r.organisation_name.strip().lower() == wanted]
    if choice.role:
        regs = [r for r in regs if role_of(r) == choice.role]
    return regs


def face(reg: Registration, event: Event) -> printing.BadgeFace:
    role = role_of(reg)
    return printing.BadgeFace(
        name=reg.name, organisation=reg.organisation_name, role_label=str(ROLE_LABELS[role]),
        role_colour=badges.ROLE_COLOURS[role], event_title=event.title, event_when=when(event),
        qr_text=badge_url(reg), code=badges.display(reg.badge_code))


def print_badges(event: Event, choice: PrintChoice, *, acting: Any,
                 now: datetime | None = None) -> tuple[bytes, int]:
    """The PDF of the chosen badges; each is recorded as printed. Returns (pdf, count).
    Staff on the site, or the platform itself (the `events badges` command)."""
    require(is_staff(acting) or isinstance(acting, System),
            _("Réservé à l'équipe du réseau."), "staff_only")
    now = now or utcnow()
    regs = select_for_print(event, choice)
    for reg in regs:
        reg.badge_printed_at = now
    db.session.flush()
    pdf = printing.badges_pdf([face(r, event) for r in regs],
                              title=_("Badges — %(title)s", title=event.title))
    return pdf, len(regs)


def own_badge_pdf(reg: Registration) -> bytes:
    """The person's own badge, to print at home (not counted as printed by staff)."""
    require(reg.status == S.CONFIRMED, _("Le badge n'existe que pour une inscription "
                                         "confirmée."), "not_confirmed")
    return printing.badges_pdf([face(reg, reg.event)], title=_("Mon badge"))


def set_badge_role(reg: Registration, role: str, *, acting: Any) -> Registration:
    """Staff mark a speaker or an organiser (or any role); "" goes back to the derived one."""
    require_staff(acting)
    errors = FieldErrors()
    if role and role not in ROLE_LABELS:
        errors.add("role", _("Choisissez un rôle de la liste."), "bad_role")
    errors.check()
    reg.badge_role = role
    db.session.flush()
    return reg


# --- the sign-in sheet ------------------------------------------------------------------------

def signin_sheet(event: Event, *, acting: Any) -> bytes:
    """Émargement: everyone confirmed, alphabetical, with a column to sign."""
    require_staff(acting)
    rows = [(str(n), r.name, r.organisation_name, "")
            for n, r in enumerate(confirmed(event), 1)]
    return printing.table_pdf(
        title=_("Feuille d'émargement"),
        subtitle_lines=[event.title, when(event), event.location,
                        ngettext("%(num)d personne inscrite", "%(num)d personnes inscrites",
                                 len(rows))],
        columns=[_("N°"), _("Nom"), _("Organisation"), _("Signature")],
        widths=[10, 62, 62, 48], rows=rows, row_height=11 * printing.mm,
        footer=event.title, empty=_("Personne n'est inscrit pour l'instant."))


# --- the participants list ----------------------------------------------------------------

def can_see_list(reg: Registration) -> bool:
    return reg.status == S.CONFIRMED and reg.consents_to_list


def participants_for(reg: Registration) -> list[Registration]:
    """Those who agreed to be on the list, for someone who agreed too (and only them)."""
    if not can_see_list(reg):
        raise PermissionDenied(_("La liste des participants est réservée aux personnes "
                                 "inscrites qui ont accepté d'y figurer."), "list_not_allowed")
    return [r for r in confirmed(reg.event) if r.consents_to_list]


def participants_pdf(reg: Registration) -> bytes:
    people = participants_for(reg)
    event = reg.event
    return printing.table_pdf(
        title=_("Liste des participants"), subtitle_lines=[
            event.title, when(event),
            _("Personnes inscrites qui ont accepté de figurer sur cette liste. Merci de ne "
              "pas la diffuser au-delà des participants.")],
        columns=[_("Nom"), _("Organisation"), _("Rôle")], widths=[62, 76, 44],
        rows=[(r.name, r.organisation_name, role_label(r)) for r in people], row_height=None,
        footer=event.title)
