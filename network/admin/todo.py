"""What the staff should do next: one list, each item with its action one click away.

Reads other domains' tables; every action goes through that domain's own service. Other
domains add their sections through `signals.staff_todo` (ESSpresso sessions to schedule
and outcomes to collect: `esspresso/backoffice.py`; forum stands and answers waiting:
`offers/backoffice.py`); theirs are links to the page where the action is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import aliased

from network.accounts import organisations
from network.accounts.models import OrganisationMember, OrgRole, User
from network.core import signals
from network.core.auth import require_staff
from network.core.errors import NotFound
from network.directory import membership as directory_membership
from network.directory import profiles as directory_profiles
from network.directory import rules as directory_rules
from network.directory.models import JoinRequest, RequestStatus, Structure, StructureStatus
from network.events.models import Event, EventStatus
from network.extensions import db
from network.outbox import services as outbox
from network.outbox.models import OutboxMessage, OutboxStatus

#: A venue still to be found: the demo and staff write these while the room is not booked.
PLACEHOLDER_MARKS = ("à préciser", "a preciser", "à confirmer", "à définir", "tbd")
LIMIT = 20


@dataclass(frozen=True)
class Item:
    """One thing to do: what, details, and either a POST action or a link."""

    kind: str
    title: str
    detail: str
    action: str  # "approve", "accept", "retry", "release", "" (link only)
    target_id: int
    link: str
    link_label: str


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    count: int
    items: list[Item]
    more_link: str = ""


def _placeholder_filter():
    conds = []
    for mark in PLACEHOLDER_MARKS:
        conds.append(func.lower(Event.venue_name).contains(mark))
        conds.append(func.lower(Event.venue_address).contains(mark))
    return or_(Event.venue_name == "", *conds)


def sections(url_for, *, acting: Any, now=None) -> list[Section]:
    """The to-do, most urgent first; `url_for` builds the links (kept out of the queries)."""
    require_staff(acting)
    from network.core.time import utcnow

    now = now or utcnow()
    out: list[Section] = []

    pending = db.session.scalars(select(Structure).where(
        Structure.status == StructureStatus.PENDING).order_by(Structure.created_at)).all()
    out.append(Section("structures", _("Structures à valider"), len(pending), [
        Item("structure", s.name, f"{s.commune} · {s.legal_form_label}", "approve", s.id,
             url_for("directory.profile", structure_id=s.id), _("Voir la fiche"))
        for s in pending[:LIMIT]], url_for("directory.staff_queue")))

    requests = db.session.scalars(select(JoinRequest).where(
        JoinRequest.status == RequestStatus.PENDING).order_by(JoinRequest.created_at)).all()
    out.append(Section("requests", _("Demandes pour rejoindre une structure"), len(requests), [
        Item("request", f"{r.user.name} → {r.structure.name}", r.user.email, "accept", r.id,
             url_for("directory.members", structure_id=r.structure_id), _("Voir les membres"))
        for r in requests[:LIMIT]], url_for("directory.staff_queue")))

    failed = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.status == OutboxStatus.FAILED).order_by(OutboxMessage.id.desc())).all()
    out.append(Section("mails", _("Courriels en échec"), len(failed), [
        Item("mail", m.subject, f"{m.to_address} · {(m.last_error or '')[:120]}", "retry", m.id,
             url_for("outbox.detail", message_id=m.id), _("Voir le message"))
        for m in failed[:LIMIT]], url_for("outbox.index", statut="failed")))

    venues = db.session.scalars(select(Event).where(
        Event.status != EventStatus.CANCELLED, Event.end_at >= now, _placeholder_filter())
        .order_by(Event.start_at)).all()
    out.append(Section("venues", _("Événements sans lieu définitif"), len(venues), [
        Item("venue", e.title, e.venue_name or _("(aucun lieu)"), "", e.id,
             url_for("events.staff_edit", event_id=e.id), _("Indiquer le lieu"))
        for e in venues[:LIMIT]], url_for("events.staff_index")))
    handed = handed_over()
    out.append(Section("handover", _("Structures importées reprises par leur contact"),
                       len(handed), [
        Item("handover", structure.name,
             _("Le contact a rejoint la fiche ; %(name)s (équipe) en est encore "
               "responsable depuis l'import.", name=member.user.name), "release", member.id,
             url_for("directory.members", structure_id=structure.id), _("Voir les membres"))
        for structure, member in handed[:LIMIT]], url_for("directory.staff_structures")))
    out.extend(domain_sections(now))
    return out


def handed_over() -> list[tuple[Structure, OrganisationMember]]:
    """Structures a staff member still owns (the member list import made them their first
    responsable) although someone outside the staff now owns them too."""
    other = aliased(OrganisationMember)
    other_user = aliased(User)
    rows = db.session.execute(
        select(Structure, OrganisationMember)
        .join(OrganisationMember,
              OrganisationMember.organisation_id == Structure.organisation_id)
        .join(User, User.id == OrganisationMember.user_id)
        .where(User.is_staff, OrganisationMember.role == OrgRole.OWNER,
               exists().where(other.organisation_id == Structure.organisation_id,
                              other.role == OrgRole.OWNER, other.user_id == other_user.id,
                              ~other_user.is_staff))
        .order_by(Structure.name)).all()
    return [(s, m) for s, m in rows]


def release(member_id: int, *, acting: Any) -> None:
    """Staff step back from a structure its own people now run (accounts' service: the
    last responsable always stays)."""
    require_staff(acting)
    member = db.session.get(OrganisationMember, member_id)
    if member is None or not member.user.is_staff:
        raise NotFound(_("Cette personne n'est plus responsable de la structure."),
                       "not_member")
    organisations.remove_member(member.organisation_id, member.user, acting=acting)


def domain_sections(now) -> list[Section]:
    """The sections other domains add (`signals.staff_todo`), in a stable order."""
    out = []
    for sections_ in signals.collect(signals.staff_todo, now=now):
        for key, title, count, items, more_link in sections_:
            out.append(Section(str(key), str(title), int(count), [
                Item(str(key), str(t), str(detail), "", 0, link, str(label))
                for t, detail, link, label in list(items)[:LIMIT]], more_link or ""))
    return out


def approve(structure_id: int, *, acting: Any) -> Structure:
    require_staff(acting)
    structure = directory_rules.get_structure(structure_id)
    directory_profiles.approve_structure(structure, acting=acting)
    return structure


def accept_request(request_id: int, *, acting: Any) -> JoinRequest:
    require_staff(acting)
    join_request = directory_membership.get_join_request(request_id)
    directory_membership.decide_join_request(join_request, acting=acting, accept=True)
    return join_request


def retry_mail(message_id: int, *, acting: Any) -> OutboxMessage:
    """Only a failed message goes back in the queue (the outbox's retry takes any id)."""
    require_staff(acting)
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.status != OutboxStatus.FAILED:
        raise NotFound(_("Ce message n'est pas en échec."), "not_failed")
    return outbox.retry(message_id, acting=acting)
