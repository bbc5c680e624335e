"""Organisations and who may act for them (owner, editor): the membership model that the
directory and ESSpresso build on. Services flush; the caller's edge commits.

The last-owner rule holds under concurrency: every change of roles first row-locks the
organisation (PostgreSQL; SQLite has a single writer), then demotes or removes with one
conditional statement ("… and another owner exists").
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select, update

from network.accounts.models import (
    Organisation,
    OrganisationKind,
    OrganisationMember,
    OrgRole,
    User,
)
from network.core.auth import is_staff, is_user, is_verified_user, require, require_verified
from network.core.errors import Conflict, NotFound
from network.core.text import single_line
from network.extensions import db


def create_organisation(owner: User, *, name: str, kind: OrganisationKind) -> Organisation:
    """Adds the organisation with `owner` (verified: it speaks for the organisation)."""
    require_verified(owner)
    org = Organisation(name=single_line(name, max_length=200), kind=kind)
    org.members.append(OrganisationMember(user=owner, role=OrgRole.OWNER))
    db.session.add(org)
    db.session.flush()
    return org


def rename_organisation(org_id: int, name: str) -> Organisation:
    """Keeps the organisation's name in step with its profile (the directory checked who)."""
    org = db.session.get(Organisation, org_id)
    if org is None:
        raise NotFound(_("Organisation introuvable."))
    org.name = single_line(name, max_length=200)
    return org


def get_membership(org_id: int, user_id: int) -> OrganisationMember | None:
    return db.session.scalar(select(OrganisationMember).where(
        OrganisationMember.organisation_id == org_id, OrganisationMember.user_id == user_id))


def can_edit(user: Any, org_id: int) -> bool:
    if not is_verified_user(user):
        return False
    return user.is_staff or user.role_in(org_id) is not None


def can_manage_members(user: Any, org_id: int) -> bool:
    if not is_verified_user(user):
        return False
    return user.is_staff or user.role_in(org_id) == OrgRole.OWNER


def _lock_organisation(org_id: int) -> Organisation:
    """Row-lock the organisation (PostgreSQL) for the rest of the transaction, so that two
    changes of its owners run one after the other; SQLite's single writer does the same for
    the conditional statements below."""
    org = db.session.scalar(
        select(Organisation).where(Organisation.id == org_id).with_for_update())
    if org is None:
        raise NotFound(_("Organisation introuvable."))
    return org


def _current_role(org_id: int, user_id: int) -> OrgRole | None:
    """Read afresh (after the lock), not from a relationship loaded before it."""
    return db.session.scalar(select(OrganisationMember.role).where(
        OrganisationMember.organisation_id == org_id, OrganisationMember.user_id == user_id)
        .execution_options(populate_existing=True))


def _require_manager(org_id: int, acting: Any) -> None:
    require_verified(acting)
    allowed = is_staff(acting) or _current_role(org_id, acting.id) == OrgRole.OWNER
    require(allowed, _("Seuls les responsables de la structure peuvent faire cela."))


def _other_owners(org_id: int, user_id: int):
    """SQL: another owner of the organisation exists (evaluated inside the statement)."""
    other = select(OrganisationMember.id).where(
        OrganisationMember.organisation_id == org_id,
        OrganisationMember.role == OrgRole.OWNER,
        OrganisationMember.user_id != user_id,
    )
    return other.exists()


def _last_owner() -> Conflict:
    return Conflict(_("La structure doit garder au moins un responsable."), "last_owner")


def set_member(org_id: int, user: User, role: OrgRole, *, acting: Any) -> OrganisationMember:
    """Add or change a member, acting as an owner (or staff); the last owner stays one.

    The demotion is one conditional UPDATE ("… and another owner exists") run under the
    organisation's row lock: two owners demoting each other at once cannot both succeed."""
    role = OrgRole(role)
    _lock_organisation(org_id)
    _require_manager(org_id, acting)
    member = get_membership(org_id, user.id)
    if member is None:
        require_verified(user)
        member = OrganisationMember(organisation_id=org_id, user=user, role=role)
        db.session.add(member)
        db.session.flush()
        return member
    condition = OrganisationMember.id == member.id
    if role != OrgRole.OWNER:
        condition = and_(condition, or_(OrganisationMember.role != OrgRole.OWNER,
                                        _other_owners(org_id, user.id)))
    result = db.session.execute(update(OrganisationMember).where(condition).values(role=role)
                                .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise _last_owner()
    db.session.refresh(member)
    return member


def join_by_invitation(org_id: int, role: OrgRole, *, acting: Any,
                       invited_by: User | None) -> OrganisationMember:
    """The invitee (acting, verified, the address invited) joins; the inviter must still
    manage the organisation. The directory checked the invitation itself."""
    require_verified(acting)
    _lock_organisation(org_id)
    if invited_by is None or not (is_staff(invited_by)
                                  or _current_role(org_id, invited_by.id) == OrgRole.OWNER):
        raise Conflict(_("La personne qui vous a invité·e ne gère plus cette structure : "
                         "demandez une nouvelle invitation."), "invitation_stale")
    member = get_membership(org_id, acting.id)
    if member is None:
        member = OrganisationMember(organisation_id=org_id, user=acting, role=OrgRole(role))
        db.session.add(member)
        db.session.flush()
    return member


def remove_member(org_id: int, user: User, *, acting: Any) -> None:
    """An owner (or staff) removes someone, or anyone leaves; never the last owner."""
    require(is_user(acting), _("Connectez-vous pour faire cela."), "login_required")
    _lock_organisation(org_id)
    if acting.id != user.id:
        _require_manager(org_id, acting)
    member = get_membership(org_id, user.id)
    if member is None:
        raise NotFound(_("Cette personne n'est pas membre."))
    keeps_an_owner = or_(OrganisationMember.role != OrgRole.OWNER,
                         _other_owners(org_id, user.id))
    result = db.session.execute(
        OrganisationMember.__table__.delete()
        .where(OrganisationMember.id == member.id).where(keeps_an_owner))
    if result.rowcount != 1:
        raise _last_owner()
    db.session.expire_all()




def sole_owner_of_shared(user_id: int) -> Organisation | None:
    """An organisation that others share and that the user's departure would leave without
    an owner. Each organisation is locked and counted afresh, so two owners leaving at once
    (deleting their accounts) cannot both go."""
    org_ids = db.session.scalars(select(OrganisationMember.organisation_id).where(
        OrganisationMember.user_id == user_id).order_by(OrganisationMember.organisation_id))
    for org_id in list(org_ids):
        org = _lock_organisation(org_id)
        if _current_role(org_id, user_id) != OrgRole.OWNER:
            continue
        counts = db.session.execute(select(
            func.count().filter(OrganisationMember.role == OrgRole.OWNER),
            func.count().filter(OrganisationMember.user_id != user_id),
        ).where(OrganisationMember.organisation_id == org_id)).one()
        owners, others = counts
        if owners == 1 and others > 0:
            return org
    return None
