"""The evening's arrivals for staff: how many came out of the confirmed, arrivals per ten
minutes (a chart with its table), who has not come yet, and the same as CSV."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from network.core import charts
from network.core.auth import require_staff
from network.core.exports import csv_bytes
from network.core.i18n import when
from network.core.time import to_paris
from network.events.models import Event, Registration, RegistrationStatus
from network.extensions import db

BIN = timedelta(minutes=10)


@dataclass(frozen=True)
class Arrivals:
    arrived: int
    expected: int
    bins: list[tuple[str, int]]
    missing: list[Registration]
    chart: charts.Chart

    @property
    def share(self) -> int:
        return round(100 * self.arrived / self.expected) if self.expected else 0


def _floor(value: datetime) -> datetime:
    local = to_paris(value)
    return local.replace(minute=local.minute - local.minute % 10, second=0, microsecond=0)


def per_ten_minutes(times: list[datetime]) -> list[tuple[str, int]]:
    """Arrivals counted per ten minutes (Paris time), empty slots included between the first
    and the last arrival, labelled with the time ("18h40" in French)."""
    if not times:
        return []
    counts: dict[datetime, int] = {}
    for t in times:
        counts[_floor(t)] = counts.get(_floor(t), 0) + 1
    slot, last, out = min(counts), max(counts), []
    while slot <= last and len(out) < 500:
        out.append((when(slot, "time"), counts.get(slot, 0)))
        slot += BIN
    return out


def arrivals(event: Event, *, acting: Any) -> Arrivals:
    require_staff(acting)
    regs = list(db.session.scalars(
        select(Registration).where(Registration.event_id == event.id,
                                   Registration.status == RegistrationStatus.CONFIRMED)
        .order_by(Registration.name, Registration.id)))
    times = [r.checked_in_at for r in regs if r.checked_in_at]
    bins = per_ten_minutes(times)
    chart = charts.Chart(title=_("Arrivées par tranche de dix minutes"), rows=bins,
                         unit=_("arrivées"), kind="bar", key=f"arrivees-{event.id}",
                         header=(_("Tranche"), _("Arrivées")))
    return Arrivals(arrived=len(times), expected=len(regs), bins=bins,
                    missing=[r for r in regs if not r.checked_in_at], chart=chart)


def csv_export(event: Event, *, acting: Any) -> bytes:
    """Everyone confirmed, arrived or not: name, organisation, arrival time, who let them in."""
    from network.events.checkin import checked_in_by

    require_staff(acting)
    regs = db.session.scalars(
        select(Registration).where(Registration.event_id == event.id,
                                   Registration.status == RegistrationStatus.CONFIRMED)
        .order_by(Registration.name, Registration.id))
    return csv_bytes([_("Nom"), _("Organisation"), _("Arrivée"), _("Accueilli·e par")],
                     ([r.name, r.organisation_name, r.checked_in_at,
                       checked_in_by(r) if r.checked_in_at else ""] for r in regs))
