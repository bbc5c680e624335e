"""Territories are the directory's reference table (`directory_territories`), read here.

Public links filter by the territory's code (`?territoire=metz`); events point at its id.
"""

from __future__ import annotations

from sqlalchemy import select

from network.directory.models import Territory
from network.extensions import db


def list_territories(*, active_only: bool = True) -> list[Territory]:
    query = select(Territory).order_by(Territory.position, Territory.name)
    if active_only:
        query = query.where(Territory.is_active.is_(True))
    return list(db.session.scalars(query))


def territories(*, active_only: bool = True) -> dict[str, str]:
    """code → name, in the directory's order (for filters)."""
    return {t.code: t.name for t in list_territories(active_only=active_only)}


def by_code(code: str | None) -> Territory | None:
    if not code or len(code) > 60 or "\x00" in code:
        return None
    return db.session.scalar(select(Territory).where(Territory.code == code))


def get(territory_id: int | None) -> Territory | None:
    if not isinstance(territory_id, int) or not 0 < territory_id < 2**31:
        return None
    return db.session.get(Territory, territory_id)
