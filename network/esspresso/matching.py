"""Suggested matches: a buyer's needs against a supplier's offers (pure: values in, values out).

A pair scores when an offer's category meets a need's category; serving the need's territory
and being eligible for a reserved contract raise the score; a supplier who cannot answer a
reserved contract is not suggested for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class NeedView:
    category_id: int
    territory: str  # "" = all of Moselle
    reservation: str  # "aucune" | "siae" | "ea-esat"
    has_social_clause: bool = False


@dataclass(frozen=True)
class SupplierView:
    categories: frozenset[int]
    territory: str
    serves_whole_department: bool
    is_siae: bool
    is_ea_esat: bool


@dataclass
class Match:
    score: int
    reasons: list[str] = field(default_factory=list)  # codes: category, territory, reserved…


def eligible(need: NeedView, supplier: SupplierView) -> bool:
    if need.reservation == "siae":
        return supplier.is_siae
    if need.reservation == "ea-esat":
        return supplier.is_ea_esat
    return True


def match(needs: list[NeedView], supplier: SupplierView) -> Match | None:
    """The best of the buyer's needs for this supplier, or None when nothing fits."""
    best: Match | None = None
    for need in needs:
        if need.category_id not in supplier.categories or not eligible(need, supplier):
            continue
        m = Match(3, ["category"])
        if not need.territory or supplier.serves_whole_department \
                or need.territory == supplier.territory:
            m.score += 2
            m.reasons.append("territory")
        if need.reservation != "aucune":
            m.score += 2
            m.reasons.append("reserved")
        elif need.has_social_clause and (supplier.is_siae or supplier.is_ea_esat):
            m.score += 1
            m.reasons.append("social_clause")
        if best is None or m.score > best.score:
            best = m
    return best
