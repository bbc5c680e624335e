"""Who belongs to a structure: join requests, invitations, roles, leaving; and the one
question other domains ask — is this person a member of an APPROVED structure?"""

from __future__ import annotations

import secrets
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from network.accounts import services as accounts
from network.accounts.models import Organisation, OrganisationMember, OrgRole, User
from network.core import signals
from network.core.auth import require, require_verified
from network.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from network.core.text import check_email, normalize_email
from network.core.time import utcnow
from network.core.tokens import make_token, read_token
from network.core.urls import external_url
from network.directory.models import (
    Invitation,
    JoinRequest,
    RequestStatus,
    Structure,
    StructureChange,
    StructureStatus,
)
from network.directory.rules import (
    can_manage,
    log_change,
    mail_owners,
    no_nul,
    require_manage,
    role_of,
)
from network.extensions import db
from network.outbox import services as outbox

INVITATION = "directory-invitation"
INVITATION_MAX_AGE = 14 * 24 * 3600
MAX_MESSAGE = 1000
#: A structure one may ask to join: published, or pending (its page then answers minimally).
JOINABLE = (StructureStatus.APPROVED, StructureStatus.PENDING)


# --- the question other domains ask -----------------------------------------------------------


def is_network_member(user: Any) -> bool:
    """True when `user` belongs to at least one APPROVED structure. A pending, refused or
    suspended structure never makes anyone a member of the network (events' members-only
    events and group registration rely on this)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(
        select(Structure.id)
        .join(OrganisationMember,
              OrganisationMember.organisation_id == Structure.organisation_id)
        .where(OrganisationMember.user_id == user.id,
               Structure.status == StructureStatus.APPROVED)
        .limit(1)) is not None


# --- reading ------------------------------------------------------------------------------------


def list_members(structure: Structure) -> list:
    org = db.session.get(Organisation, structure.organisation_id)
    return sorted(org.members, key=lambda m: (m.role != OrgRole.OWNER, m.user.name.lower()))


def list_join_requests(structure: Structure | None = None) -> list[JoinRequest]:
    query = select(JoinRequest).where(JoinRequest.status == RequestStatus.PENDING)
    if structure is not None:
        query = query.where(JoinRequest.structure_id == structure.id)
    return list(db.session.scalars(query.order_by(JoinRequest.created_at)))


def list_invitations(structure: Structure) -> list[Invitation]:
    return list(db.session.scalars(select(Invitation).where(
        Invitation.structure_id == structure.id, Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None)).order_by(Invitation.created_at)))


def has_pending_request(structure: Structure, user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(select(JoinRequest.id).where(
        JoinRequest.structure_id == structure.id, JoinRequest.user_id == user.id,
        JoinRequest.status == RequestStatus.PENDING)) is not None


# --- join requests ------------------------------------------------------------------------------


def request_to_join(structure: Structure, *, acting: Any, message: str = "") -> JoinRequest:
    """A verified person asks to join a published or pending structure; its owners decide."""
    require_verified(acting)
    if structure.status not in JOINABLE:
        raise NotFound(_("Cette structure n'est pas publiée."), "structure_not_found")
    message = (message or "").strip()
    if not no_nul(message):
        raise ValidationError(_("Ce champ contient un caractère invalide (octet nul)."),
                              "invalid_character", field="message")
    if len(message) > MAX_MESSAGE:
        raise ValidationError(_("Le message est trop long (%(n)s caractères au plus).",
                                n=MAX_MESSAGE), "message_too_long", field="message")
    if role_of(acting, structure) is not None:
        raise Conflict(_("Vous êtes déjà membre de cette structure."), "already_member")
    request = db.session.scalar(select(JoinRequest).where(
        JoinRequest.structure_id == structure.id, JoinRequest.user_id == acting.id))
    if request is not None and request.status == RequestStatus.PENDING:
        raise Conflict(_("Votre demande est déjà en attente."), "already_requested")
    if request is None:
        request = JoinRequest(structure_id=structure.id, user_id=acting.id)
        db.session.add(request)
    request.status, request.message = RequestStatus.PENDING, message
    request.created_at, request.decided_at, request.decided_by_id = utcnow(), None, None
    try:
        with db.session.begin_nested():  # the same person clicked twice at once
            db.session.flush()
    except IntegrityError as exc:
        raise Conflict(_("Votre demande est déjà en attente."), "already_requested") from exc
    # The subject carries a name people typed: the outbox keeps it on one line, ≤ 255.
    mail_owners(structure, "directory_join_request",
                _l("%(person)s demande à rejoindre « %(name)s »", person=acting.name,
                   name=structure.name),
                requester=acting, message=request.message,
                link=external_url("directory.members", structure_id=structure.id))
    db.session.flush()
    return request


def get_join_request(request_id: int) -> JoinRequest:
    request = db.session.get(JoinRequest, request_id)
    if request is None:
        raise NotFound(_("Demande introuvable."), "request_not_found")
    return request


def decide_join_request(request: JoinRequest, *, acting: Any, accept: bool,
                        role: OrgRole = OrgRole.EDITOR) -> None:
    """An owner (or staff) decides; composes with accounts' services in the caller's unit of
    work (nothing is committed here)."""
    structure = request.structure
    require_manage(acting, structure)
    if request.status != RequestStatus.PENDING:
        raise Conflict(_("Cette demande a déjà été traitée."), "already_decided")
    if accept:
        accounts.set_member(structure.organisation_id, request.user, role, acting=acting)
        log_change(structure, acting, "membres", None, {"ajout": request.user.email,
                                                        "role": role.value})
    request.status = RequestStatus.ACCEPTED if accept else RequestStatus.REFUSED
    request.decided_at, request.decided_by_id = utcnow(), acting.id
    outbox.enqueue(request.user.email, "directory_join_decided",
                   subject=_l("Votre demande pour rejoindre « %(name)s »",
                              name=structure.name),
                   context={"structure": structure, "accepted": accept, "user": request.user,
                            "link": external_url("directory.mine")})
    db.session.flush()


# --- invitations --------------------------------------------------------------------------------


def invite(structure: Structure, *, email: str, role: OrgRole, acting: Any) -> Invitation:
    require_manage(acting, structure)
    require_verified(acting)
    email = check_email(email, field="email")
    existing = accounts.get_user_by_email(email)
    if existing is not None and role_of(existing, structure) is not None:
        raise Conflict(_("Cette personne est déjà membre de la structure."), "already_member",
                       field="email")
    invitation = Invitation(structure_id=structure.id, email=email, role=OrgRole(role).value,
                            nonce=secrets.token_hex(8), invited_by_id=acting.id)
    db.session.add(invitation)
    db.session.flush()
    token = make_token(INVITATION, {"id": invitation.id, "n": invitation.nonce})
    outbox.enqueue(email, "directory_invitation",
                   subject=_l("%(person)s vous invite à gérer « %(name)s »",
                              person=acting.name, name=structure.name),
                   context={"structure": structure, "inviter": acting,
                            "owner": OrgRole(role) == OrgRole.OWNER,
                            "link": external_url("directory.invitation", token=token),
                            "days": INVITATION_MAX_AGE // 86400})
    return invitation


def invitation_from_token(token: str) -> Invitation:
    data = read_token(INVITATION, token, INVITATION_MAX_AGE)
    try:
        invitation_id = int(data.get("id", 0))
    except (TypeError, ValueError):
        invitation_id = 0
    invitation = db.session.get(Invitation, invitation_id) if 0 < invitation_id < 2**31 \
        else None
    if invitation is None or invitation.nonce != data.get("n") \
            or invitation.revoked_at is not None:
        raise NotFound(_("Cette invitation n'existe plus."), "invitation_invalid")
    if invitation.accepted_at is not None:
        raise Conflict(_("Cette invitation a déjà été acceptée."), "invitation_used")
    return invitation


def accept_invitation(token: str, *, acting: Any) -> Structure:
    """The invitee acts (not the inviter): the signed invitation, addressed to their verified
    address, is their right to join; it lapses if the inviter no longer manages the
    structure."""
    invitation = invitation_from_token(token)
    if not getattr(acting, "is_verified", False):
        raise PermissionDenied(_("Confirmez d'abord votre adresse e-mail (lien reçu à "
                                 "l'inscription), puis rouvrez l'invitation."),
                               "email_not_verified")
    if normalize_email(acting.email) != invitation.email:
        raise PermissionDenied(
            _("Cette invitation a été envoyée à %(email)s : connectez-vous avec ce compte pour "
              "l'accepter.", email=invitation.email), "invitation_other_user")
    structure = invitation.structure
    inviter = accounts.get_user(invitation.invited_by_id) if invitation.invited_by_id else None
    if inviter is None or not can_manage(inviter, structure):
        raise Conflict(_("La personne qui vous a invité·e ne gère plus cette structure : "
                         "demandez une nouvelle invitation."), "invitation_stale")
    invitation.accepted_at = utcnow()
    role = OrgRole(invitation.role)
    if role_of(acting, structure) is None:
        accounts.join_by_invitation(structure.organisation_id, role, acting=acting,
                                    invited_by=inviter)
    log_change(structure, acting, "membres", None, {"ajout": acting.email, "role": role.value})
    db.session.flush()
    return structure


def get_invitation(invitation_id: int) -> Invitation:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None:
        raise NotFound(_("Invitation introuvable."), "invitation_invalid")
    return invitation


def revoke_invitation(invitation_id: int, *, acting: Any) -> Invitation:
    invitation = get_invitation(invitation_id)
    require_manage(acting, invitation.structure)
    invitation.revoked_at = utcnow()
    db.session.flush()
    return invitation


# --- roles --------------------------------------------------------------------------------------


def _membership(structure: Structure, user_id: int):
    member = accounts.get_membership(structure.organisation_id, user_id)
    if member is None:
        raise NotFound(_("Cette personne n'est pas membre."), "not_member")
    return member


def change_role(structure: Structure, user_id: int, role: OrgRole, *, acting: Any) -> None:
    """Checked first (rights, then the last-owner rule in accounts), logged after: a refusal
    leaves nothing behind, with no rollback."""
    require_manage(acting, structure)
    member = _membership(structure, user_id)
    old = member.role.value
    accounts.set_member(structure.organisation_id, member.user, OrgRole(role), acting=acting)
    log_change(structure, acting, "membres", {member.user.email: old},
               {member.user.email: OrgRole(role).value})
    db.session.flush()


def remove_from_structure(structure: Structure, user_id: int, *, acting: Any) -> None:
    """An owner removes a colleague, or anyone leaves; the last owner cannot."""
    require(getattr(acting, "is_authenticated", False))
    if acting.id != user_id:
        require_manage(acting, structure)
    member = _membership(structure, user_id)
    email = member.user.email
    accounts.remove_member(structure.organisation_id, member.user, acting=acting)
    log_change(structure, acting, "membres", {"retrait": email}, None)
    db.session.flush()


# --- personal data (GDPR) -----------------------------------------------------------------------


@signals.personal_data_export.connect
def _export_person(user: User) -> tuple[str, Any]:
    requests = db.session.scalars(select(JoinRequest).where(JoinRequest.user_id == user.id))
    changes = db.session.scalar(select(db.func.count(StructureChange.id)).where(
        StructureChange.user_id == user.id)) or 0
    return "annuaire", {
        "demandes_adhesion": [{"structure": r.structure.name, "statut": r.status.value,
                               "message": r.message, "le": r.created_at.isoformat()}
                              for r in requests],
        "modifications_de_fiches": changes,
    }


@signals.personal_data_erase.connect
def _erase_person(user: User) -> None:
    """Join requests and invitations name the person: they go; the history keeps no user."""
    for request in db.session.scalars(select(JoinRequest).where(JoinRequest.user_id == user.id)):
        db.session.delete(request)
    for invitation in db.session.scalars(select(Invitation).where(
            Invitation.email == user.email)):
        db.session.delete(invitation)
