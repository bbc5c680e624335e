"""What ESSpresso reads or calls in other domains, in one place, so that each can move.

- the directory (approved structures, their offers, purchase categories, territories);
- the events (registering a participant to the session's event: badge, door check-in);
- the pure scheduling core (`network.esspresso.scheduler`, FORMAT.md in and out).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from network.extensions import db

# --- directory --------------------------------------------------------------------------------


def list_categories() -> list[Any]:
    from network.directory import reference

    return reference.list_categories()


def category_label(category: Any) -> str:
    """A purchase category's name in the page's language (the directory translates the seeded
    ones; a name typed by the staff stays as typed)."""
    return str(getattr(category, "label", None) or category.name)


def category_by_id(category_id: int) -> Any | None:
    from network.directory.models import PurchaseCategory

    if not 0 < category_id < 2**31:
        return None
    category = db.session.get(PurchaseCategory, category_id)
    return category if category is not None and category.is_active else None


def territories() -> dict[str, str]:
    """code -> name."""
    from network.events.territories import territories as event_territories

    return event_territories()


def approved_structure_of(organisation_id: int) -> Any | None:
    from network.directory.models import Structure, StructureStatus

    return db.session.scalar(select(Structure).where(
        Structure.organisation_id == organisation_id,
        Structure.status == StructureStatus.APPROVED))


def structures_by_organisation(organisation_ids: list[int]) -> dict[int, Any]:
    from network.directory.models import Structure

    if not organisation_ids:
        return {}
    rows = db.session.scalars(select(Structure).where(
        Structure.organisation_id.in_(organisation_ids)))
    return {s.organisation_id: s for s in rows}


def is_siae(structure: Any) -> bool:
    return bool(structure is not None and structure.is_siae)


def is_ea_esat(structure: Any) -> bool:
    from network.directory.models import BuyerKind

    return bool(structure is not None and structure.buyer_kind in (BuyerKind.EA,
                                                                      BuyerKind.ESAT))


def validate_siret(value: str) -> str:
    """Normalised SIRET, or ValueError with a French message."""
    from network.directory.validators import normalize_siret

    return normalize_siret(value)


def validate_postcode(value: str) -> str:
    from network.directory.validators import normalize_postcode

    return normalize_postcode(value)


# --- events -----------------------------------------------------------------------------------


def register_to_event(event_id: int, user: Any, organisation_name: str,
                      organisation_kind: str, *, now: datetime | None = None) -> int | None:
    """Register the person to the session's event (badge, check-in); the registration id.

    The one call into the events domain, at the participant's own clock (`now`).
    Registering twice only sends the mail again.
    """
    from network.events import queries, registration

    event = queries.get_event(event_id)
    if event is None:
        return None
    answers = registration.prefill(user)
    answers.organisation_name = organisation_name
    answers.organisation_kind = organisation_kind
    outcome = registration.register(event, answers, acting=user, now=now)
    return outcome.registration.id


def event_of(event_id: int | None) -> Any | None:
    from network.events import queries

    return queries.get_event(event_id) if event_id else None


def esspresso_events() -> list[Any]:
    from network.events.models import Event, EventKind

    return list(db.session.scalars(select(Event).where(Event.kind == EventKind.ESSPRESSO)
                                   .order_by(Event.start_at)))


# --- the pure core ----------------------------------------------------------------------------


def solve(instance: dict[str, Any], time_limit: float | None = None) -> dict[str, Any]:
    """FORMAT.md instance in, FORMAT.md schedule out, checked against the rules."""
    from network.esspresso.instance import parse_instance, schedule_problems
    from network.esspresso.scheduler import solve as core_solve

    parsed = parse_instance(instance)
    schedule = core_solve(parsed, time_limit=time_limit)
    problems = schedule_problems(parsed, schedule)
    if problems:
        raise RuntimeError("the scheduler returned an invalid schedule: " + "; ".join(
            problems[:5]))
    return schedule.to_dict()
