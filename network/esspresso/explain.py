"""Why each participant got (or did not get) each wished meeting, for the ESSpresso pages.

Reasons carry a stable code (for templates and tests) and a French label (for people).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .instance import Instance, Meeting, Schedule

REASONS: dict[str, str] = {
    "no_common_slot": "Aucun créneau de disponibilité en commun",
    "own_cap_reached": "Votre agenda est complet",
    "other_side_full": "L'agenda de l'autre participant est complet",
    "no_common_free_slot": "Vos créneaux encore libres ne coïncident pas",
    "tables_full": "Toutes les tables sont occupées sur vos créneaux libres communs",
    "not_scheduled": "Rendez-vous encore possible mais non planifié",
}


@dataclass(frozen=True)
class WishOutcome:
    other: str
    direction: str  # "made" (this participant asked) or "received"
    priority: int
    met: bool
    slot: int | None = None
    table: int | None = None
    reason: str | None = None
    label: str | None = None


@dataclass
class ParticipantReport:
    id: str
    role: str
    meetings: list[Meeting] = field(default_factory=list)
    wishes: list[WishOutcome] = field(default_factory=list)

    @property
    def met(self) -> list[WishOutcome]:
        return [w for w in self.wishes if w.met]

    @property
    def unmet(self) -> list[WishOutcome]:
        return [w for w in self.wishes if not w.met]


def explain(instance: Instance, schedule: Schedule) -> dict[str, ParticipantReport]:
    """Per participant: meetings got, wishes met and unmet with the reason, in that order."""
    people = instance.by_id()
    full = frozenset(range(instance.slots))
    avail = {
        pid: full if p.available is None else frozenset(p.available) for pid, p in people.items()
    }
    cap = {
        pid: min(instance.slots if p.max_meetings is None else p.max_meetings, len(avail[pid]))
        for pid, p in people.items()
    }
    busy: dict[str, set[int]] = defaultdict(set)
    per_slot: dict[int, int] = defaultdict(int)
    by_pair: dict[tuple[str, str], Meeting] = {}
    reports = {pid: ParticipantReport(pid, p.role) for pid, p in people.items()}
    for m in sorted(schedule.meetings, key=lambda m: (m.slot, m.table or 0)):
        busy[m.buyer].add(m.slot)
        busy[m.supplier].add(m.slot)
        per_slot[m.slot] += 1
        by_pair[m.buyer, m.supplier] = m
        reports[m.buyer].meetings.append(m)
        reports[m.supplier].meetings.append(m)

    def reason(me: str, other: str) -> str:
        common = avail[me] & avail[other]
        if not common:
            return "no_common_slot"
        if len(busy[me]) >= cap[me] or not avail[me] - busy[me]:
            return "own_cap_reached"
        if len(busy[other]) >= cap[other] or not avail[other] - busy[other]:
            return "other_side_full"
        free = common - busy[me] - busy[other]
        if not free:
            return "no_common_free_slot"
        if all(per_slot[t] >= instance.tables for t in free):
            return "tables_full"
        return "not_scheduled"

    for w in instance.wishes:
        buyer = w.source if people[w.source].role == "buyer" else w.target
        supplier = w.target if buyer == w.source else w.source
        m = by_pair.get((buyer, supplier))
        sides = ((w.source, w.target, "made"), (w.target, w.source, "received"))
        for me, other, direction in sides:
            if m is not None:
                out = WishOutcome(other, direction, w.priority, True, m.slot, m.table)
            else:
                code = reason(me, other)
                out = WishOutcome(other, direction, w.priority, False, reason=code,
                                  label=REASONS[code])
            reports[me].wishes.append(out)
    for rep in reports.values():
        rep.wishes.sort(key=lambda o: (not o.met, -o.priority, o.direction, o.other))
    return reports
