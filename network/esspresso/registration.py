"""Buyers and suppliers register for a session: presence, needs or offers, and the event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from network.core.auth import require, require_verified
from network.core.errors import Conflict, FieldErrors, NotFound
from network.core.time import as_utc, utcnow
from network.esspresso import adapters
from network.esspresso.buyers import buyer_of
from network.esspresso.models import (
    AmountBracket,
    BuyerProfile,
    PurchaseNeed,
    Reservation,
    SupplierOffer,
    Timing,
)
from network.extensions import db
from network.meetings import participants as engine
from network.meetings.models import SIDE_A, SIDE_B, MeetingParticipant, MeetingSession
from network.meetings.participants import Presence
from network.meetings.rules import require_acts_for


@dataclass
class NeedData:
    category_id: int
    description: str = ""
    amount: str = AmountBracket.UNKNOWN.value
    timing: str = Timing.SIX_MONTHS.value
    territory: str = ""
    reservation: str = Reservation.NONE.value
    has_social_clause: bool = False


def _check_open(session: MeetingSession, now: datetime) -> None:
    if now >= as_utc(session.starts_at):
        raise Conflict(_("Cette session a commencé : les inscriptions sont closes."),
                       "registration_closed")


def _clean_need(need: NeedData, errors: FieldErrors) -> dict[str, Any]:
    values: dict[str, Any] = {}
    category = adapters.category_by_id(need.category_id or 0)
    if category is None:
        errors.add("category_id", _("Choisissez une catégorie d'achat."), "bad_category")
    else:
        values["category_id"] = category.id
    values["description"] = (need.description or "").replace("\x00", "").strip()[:2000]
    if not values["description"]:
        errors.add("description", _("Décrivez votre besoin en quelques lignes."),
                   "description_required")
    for name, cls, message in (
            ("amount", AmountBracket, _("Choisissez une fourchette de montant.")),
            ("timing", Timing, _("Choisissez une échéance.")),
            ("reservation", Reservation, _("Choisissez le type de marché."))):
        try:
            values[name] = cls(getattr(need, name))
        except ValueError:
            errors.add(name, message, f"bad_{name}")
    values["territory"] = need.territory if need.territory in adapters.territories() else ""
    values["has_social_clause"] = bool(need.has_social_clause)
    return values


def _require_team(acting: Any, organisation_id: int) -> None:
    require_verified(acting)
    require(acting.role_in(organisation_id) is not None,
            _("Seule l'équipe de l'organisation peut l'inscrire."), "not_your_organisation")


def register_buyer(session: MeetingSession, buyer: BuyerProfile, presence: Presence,
                   need: NeedData, *, acting: Any, now: datetime | None = None
                   ) -> MeetingParticipant:
    """A buyer's team registers it with a first purchase need; its person joins the event."""
    now = now or utcnow()
    _require_team(acting, buyer.organisation_id)
    _check_open(session, now)
    errors = FieldErrors()
    engine.check_presence(session, presence, errors)
    values = _clean_need(need, errors)
    errors.check()
    participant = engine.join(session, SIDE_A, display_name=buyer.organisation.name,
                              presence=presence, organisation_id=buyer.organisation_id,
                              contact_name=acting.name, registered_by_id=acting.id)
    db.session.add(PurchaseNeed(participant_id=participant.id, **values))
    db.session.flush()
    _join_event(session, participant, acting, "buyer", now)
    return participant


def register_supplier(session: MeetingSession, organisation_id: int, presence: Presence,
                      category_ids: list[int], *, acting: Any, now: datetime | None = None
                      ) -> MeetingParticipant:
    """An approved structure's team registers it with offers taken from its profile."""
    now = now or utcnow()
    _require_team(acting, organisation_id)
    _check_open(session, now)
    structure = adapters.approved_structure_of(organisation_id)
    if structure is None:
        raise Conflict(_("Seules les structures publiées dans l'annuaire peuvent s'inscrire "
                         "comme fournisseurs."), "not_approved")
    errors = FieldErrors()
    engine.check_presence(session, presence, errors)
    offered = {o.category_id for o in structure.offerings}
    chosen = [c for c in dict.fromkeys(category_ids) if c in offered]
    if not chosen:
        errors.add("categories", _("Choisissez au moins une offre de votre fiche (complétez "
                                   "la fiche si la liste est vide)."), "no_offer")
    errors.check()
    participant = engine.join(session, SIDE_B, display_name=structure.display_name,
                              presence=presence, organisation_id=organisation_id,
                              contact_name=acting.name, registered_by_id=acting.id)
    for category_id in chosen:
        db.session.add(SupplierOffer(participant_id=participant.id, category_id=category_id))
    db.session.flush()
    _join_event(session, participant, acting, "structure", now)
    return participant


def _join_event(session: MeetingSession, participant: MeetingParticipant, acting: Any,
                kind: str, now: datetime) -> None:
    if session.event_id is None:
        return
    participant.registration_id = adapters.register_to_event(
        session.event_id, acting, participant.display_name, kind, now=now)
    db.session.flush()


def add_need(session: MeetingSession, participant: MeetingParticipant, need: NeedData, *,
             acting: Any, now: datetime | None = None) -> PurchaseNeed:
    require_acts_for(acting, participant)
    require(participant.side == SIDE_A, _("Seuls les acheteurs décrivent des besoins."),
            "not_a_buyer")
    _check_open(session, now or utcnow())
    errors = FieldErrors()
    values = _clean_need(need, errors)
    errors.check()
    row = PurchaseNeed(participant_id=participant.id, **values)
    db.session.add(row)
    db.session.flush()
    return row


def remove_need(session: MeetingSession, participant: MeetingParticipant, need_id: int, *,
                acting: Any) -> None:
    require_acts_for(acting, participant)
    need = db.session.get(PurchaseNeed, need_id) if 0 < need_id < 2**31 else None
    if need is None or need.participant_id != participant.id:
        raise NotFound(_("Ce besoin n'existe pas."))
    remaining = len(needs_of([participant.id]).get(participant.id, []))
    if remaining <= 1:
        raise Conflict(_("Gardez au moins un besoin : c'est ce que voient les fournisseurs."),
                       "last_need")
    db.session.delete(need)
    db.session.flush()


def update_presence(session: MeetingSession, participant: MeetingParticipant,
                    presence: Presence, *, acting: Any, now: datetime | None = None) -> None:
    require_acts_for(acting, participant)
    _check_open(session, now or utcnow())
    errors = FieldErrors()
    engine.check_presence(session, presence, errors)
    errors.check()
    engine.update_presence(participant, presence)


def needs_of(participant_ids: list[int]) -> dict[int, list[PurchaseNeed]]:
    out: dict[int, list[PurchaseNeed]] = {}
    if participant_ids:
        for need in db.session.scalars(select(PurchaseNeed).where(
                PurchaseNeed.participant_id.in_(participant_ids)).order_by(PurchaseNeed.id)):
            out.setdefault(need.participant_id, []).append(need)
    return out


def offers_of(participant_ids: list[int]) -> dict[int, list[SupplierOffer]]:
    out: dict[int, list[SupplierOffer]] = {}
    if participant_ids:
        for offer in db.session.scalars(select(SupplierOffer).where(
                SupplierOffer.participant_id.in_(participant_ids)).order_by(SupplierOffer.id)):
            out.setdefault(offer.participant_id, []).append(offer)
    return out


def registrable_buyers(user: Any, session: MeetingSession) -> list[BuyerProfile]:
    """The user's buyer organisations not yet in the session."""
    from network.esspresso.buyers import my_buyers

    return [b for b in my_buyers(user)
            if engine.find(session, organisation_id=b.organisation_id) is None]


def registrable_structures(user: Any, session: MeetingSession) -> list[Any]:
    if not getattr(user, "is_authenticated", False):
        return []
    out = []
    for m in user.memberships:
        structure = adapters.approved_structure_of(m.organisation_id)
        if structure is not None and engine.find(
                session, organisation_id=m.organisation_id) is None:
            out.append(structure)
    return out


def is_buyer_org(organisation_id: int) -> bool:
    return buyer_of(organisation_id) is not None
