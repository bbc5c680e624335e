"""Buyer organisations: companies and public purchasers, outside the ESS directory.

A buyer is an `Organisation` of kind BUYER with a profile here; its team logs in and acts for
it as for any organisation. It is not listed in the directory and is not a network member.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from network.accounts import services as accounts
from network.accounts.models import OrganisationKind
from network.core.auth import require_verified
from network.core.errors import FieldErrors
from network.core.text import single_line
from network.esspresso import adapters
from network.esspresso.models import BuyerProfile, BuyerType
from network.extensions import db

NAF_RE = re.compile(r"^([0-9]{2})\.?([0-9]{2})([A-Z])$")


@dataclass
class BuyerData:
    name: str
    buyer_type: str
    siret: str
    postcode: str
    commune: str
    naf_code: str = ""
    territory: str = ""
    website: str = ""
    description: str = ""


def normalize_naf(value: str) -> str:
    """The INSEE activity code (NAF rév. 2), e.g. 62.01Z."""
    m = NAF_RE.match(re.sub(r"\s", "", value or "").upper())
    if not m:
        raise ValueError(_("Le code NAF (APE) s'écrit 2 chiffres, un point, 2 chiffres et une "
                           "lettre, par exemple 62.01Z."))
    return f"{m.group(1)}.{m.group(2)}{m.group(3)}"


def _clean(data: BuyerData) -> dict[str, Any]:
    errors = FieldErrors()
    values: dict[str, Any] = {}
    values["name"] = single_line(data.name, max_length=200)
    if not values["name"]:
        errors.add("name", _("Indiquez le nom de l'organisation."), "name_required")
    try:
        values["buyer_type"] = BuyerType(data.buyer_type)
    except ValueError:
        errors.add("buyer_type", _("Choisissez le type d'acheteur."), "bad_type")
        values["buyer_type"] = None
    try:
        values["siret"] = adapters.validate_siret(data.siret)
    except ValueError as err:
        errors.add("siret", str(err), "bad_siret")
    else:
        taken = db.session.scalar(select(BuyerProfile.id).where(
            BuyerProfile.siret == values["siret"]))
        if taken is not None:
            errors.add("siret", _("Une organisation acheteuse est déjà inscrite avec ce SIRET : "
                                  "demandez à son équipe de vous ajouter."), "siret_taken")
    values["naf_code"] = ""
    if data.naf_code.strip() or values.get("buyer_type") == BuyerType.COMPANY:
        try:
            values["naf_code"] = normalize_naf(data.naf_code)
        except ValueError as err:
            errors.add("naf_code", str(err), "bad_naf")
    try:
        values["postcode"] = adapters.validate_postcode(data.postcode)
    except ValueError as err:
        errors.add("postcode", str(err), "bad_postcode")
    values["commune"] = single_line(data.commune, max_length=120)
    if not values["commune"]:
        errors.add("commune", _("Indiquez la commune."), "commune_required")
    values["territory"] = data.territory if data.territory in adapters.territories() else ""
    website = single_line(data.website, max_length=300)
    if website and not re.match(r"^https?://[^\s/]+\.[^\s]+$", website):
        errors.add("website", _("L'adresse du site commence par https:// (par exemple "
                                "https://www.exemple.fr)."), "bad_website")
    values["website"] = website
    values["description"] = (data.description or "").replace("\x00", "").strip()[:2000]
    errors.check()
    return values


def create_buyer(data: BuyerData, *, acting: Any) -> BuyerProfile:
    """A signed-in, verified person registers their company or public body; they own it."""
    require_verified(acting)
    values = _clean(data)
    org = accounts.create_organisation(acting, name=values.pop("name"),
                                       kind=OrganisationKind.BUYER)
    profile = BuyerProfile(organisation_id=org.id, **values)
    db.session.add(profile)
    db.session.flush()
    return profile


def my_buyers(user: Any) -> list[BuyerProfile]:
    if not getattr(user, "is_authenticated", False):
        return []
    org_ids = [m.organisation_id for m in user.memberships]
    if not org_ids:
        return []
    return list(db.session.scalars(select(BuyerProfile).where(
        BuyerProfile.organisation_id.in_(org_ids)).order_by(BuyerProfile.id)))


def buyer_of(organisation_id: int) -> BuyerProfile | None:
    return db.session.scalar(select(BuyerProfile).where(
        BuyerProfile.organisation_id == organisation_id))


def buyer_of_siret(siret: str) -> BuyerProfile | None:
    return db.session.scalar(select(BuyerProfile).where(BuyerProfile.siret == siret))


def get_buyer(organisation_id: int) -> BuyerProfile:
    from network.core.errors import NotFound

    profile = buyer_of(organisation_id) if 0 < organisation_id < 2**31 else None
    if profile is None:
        raise NotFound(_("Cette organisation acheteuse n'existe pas."))
    return profile


def add_team_member(profile: BuyerProfile, email: str, *, acting: Any) -> None:
    """An owner adds a colleague who already has an account (as editor)."""
    from network.accounts.models import OrgRole
    from network.core.auth import require
    from network.core.errors import ValidationError

    require_verified(acting)
    require(accounts.can_manage_members(acting, profile.organisation_id),
            _("Seuls les responsables de l'organisation peuvent gérer son équipe."),
            "owners_only")
    user = accounts.get_user_by_email((email or "").strip().lower()[:254])
    if user is None:
        raise ValidationError(_("Aucun compte n'existe avec cette adresse : demandez à votre "
                                "collègue de créer un compte, puis ajoutez-le."), "no_account",
                              field="email")
    accounts.set_member(profile.organisation_id, user, OrgRole.EDITOR, acting=acting)


def remove_team_member(profile: BuyerProfile, user_id: int, *, acting: Any) -> None:
    from network.core.errors import NotFound

    user = accounts.get_user(user_id) if 0 < user_id < 2**31 else None
    if user is None:
        raise NotFound(_("Cette personne n'est pas membre."))
    accounts.remove_member(profile.organisation_id, user, acting=acting)
