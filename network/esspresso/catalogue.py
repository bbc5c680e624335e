"""The session's catalogue: participants with their needs or offers, filters, suggestions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from network.esspresso import adapters
from network.esspresso.buyers import BuyerProfile
from network.esspresso.matching import Match, NeedView, SupplierView, match
from network.esspresso.registration import needs_of, offers_of
from network.extensions import db
from network.meetings.models import SIDE_A, SIDE_B, MeetingParticipant, MeetingSession
from network.meetings.rules import participants_of, require_catalogue
from network.meetings.scheduling import list_participants
from network.meetings.wishes import wishes_from, wishes_to

WIDE_AREAS = {"departement", "region", "national", "transfrontalier"}


@dataclass
class Filters:
    side: str = ""  # "", "a" (buyers) or "b" (suppliers)
    category_id: int | None = None
    territory: str = ""
    reserved: str = ""  # "", "siae", "ea-esat"
    q: str = ""
    suggested: bool = False


@dataclass
class Entry:
    participant: MeetingParticipant
    needs: list[Any] = field(default_factory=list)
    offers: list[Any] = field(default_factory=list)
    structure: Any = None
    buyer: Any = None
    territory: str = ""
    is_siae: bool = False
    is_ea_esat: bool = False
    match: Match | None = None
    my_wish: int = 0
    their_wish: int = 0

    @property
    def categories(self) -> set[int]:
        return {n.category_id for n in self.needs} | {o.category_id for o in self.offers}


def _supplier_view(entry: Entry) -> SupplierView:
    s = entry.structure
    return SupplierView(categories=frozenset(o.category_id for o in entry.offers),
                        territory=entry.territory,
                        serves_whole_department=bool(s is not None and str(
                            s.area_served) in WIDE_AREAS),
                        is_siae=entry.is_siae, is_ea_esat=entry.is_ea_esat)


def _need_views(entry: Entry) -> list[NeedView]:
    return [NeedView(n.category_id, n.territory, n.reservation.value, n.has_social_clause)
            for n in entry.needs]


def entries(session: MeetingSession) -> list[Entry]:
    people = list_participants(session)
    ids = [p.id for p in people]
    needs, offers = needs_of(ids), offers_of(ids)
    org_ids = [p.organisation_id for p in people if p.organisation_id]
    structures = adapters.structures_by_organisation(org_ids)
    buyers = {b.organisation_id: b for b in db.session.scalars(select(BuyerProfile).where(
        BuyerProfile.organisation_id.in_(org_ids or [-1])))}
    out = []
    for p in people:
        e = Entry(p, needs.get(p.id, []), offers.get(p.id, []))
        if p.side == SIDE_B:
            e.structure = structures.get(p.organisation_id)
            if e.structure is not None:
                e.territory = e.structure.territory.code if e.structure.territory else ""
                e.is_siae = adapters.is_siae(e.structure)
                e.is_ea_esat = adapters.is_ea_esat(e.structure)
        else:
            e.buyer = buyers.get(p.organisation_id)
            e.territory = e.buyer.territory if e.buyer else ""
        out.append(e)
    return out


def catalogue(session: MeetingSession, filters: Filters, *, acting: Any
              ) -> tuple[list[Entry], MeetingParticipant | None]:
    """What the acting participant (or organiser) sees: the other side first, best matches
    first, with the wishes already marked."""
    require_catalogue(acting, session)
    mine = participants_of(acting, session)
    me = mine[0] if mine else None
    everyone = entries(session)
    if me is not None:
        my_entry = next(e for e in everyone if e.participant.id == me.id)
        mine_from, to_me = wishes_from(me), wishes_to(me)
        for e in everyone:
            if e.participant.side == me.side:
                continue
            if me.side == SIDE_A:
                e.match = match(_need_views(my_entry), _supplier_view(e))
            else:
                e.match = match(_need_views(e), _supplier_view(my_entry))
            e.my_wish = mine_from.get(e.participant.id, 0)
            e.their_wish = to_me.get(e.participant.id, 0)
    side = filters.side if filters.side in (SIDE_A, SIDE_B) else (
        (SIDE_B if me.side == SIDE_A else SIDE_A) if me is not None else "")
    q = filters.q.strip().lower()
    shown = []
    for e in everyone:
        if me is not None and e.participant.id == me.id:
            continue
        if side and e.participant.side != side:
            continue
        if filters.category_id and filters.category_id not in e.categories:
            continue
        if filters.territory and e.territory != filters.territory:
            continue
        if filters.reserved == "siae" and not (e.is_siae or any(
                n.reservation.value == "siae" for n in e.needs)):
            continue
        if filters.reserved == "ea-esat" and not (e.is_ea_esat or any(
                n.reservation.value == "ea-esat" for n in e.needs)):
            continue
        if q and q not in e.participant.display_name.lower() and not any(
                q in (n.description or "").lower() for n in e.needs):
            continue
        if filters.suggested and e.match is None:
            continue
        shown.append(e)
    shown.sort(key=lambda e: (-(e.match.score if e.match else 0),
                              e.participant.display_name.lower()))
    return shown, me


def suggestions(session: MeetingSession, *, acting: Any, limit: int = 5) -> list[Entry]:
    shown, me = catalogue(session, Filters(suggested=True), acting=acting)
    return shown[:limit] if me is not None else []


def entry_of(session: MeetingSession, participant: MeetingParticipant) -> Entry:
    return next(e for e in entries(session) if e.participant.id == participant.id)


def side_label_code(participant: MeetingParticipant) -> str:
    return "buyer" if participant.side == SIDE_A else "supplier"
