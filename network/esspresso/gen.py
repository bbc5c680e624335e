"""Synthetic ESSpresso sessions for tests and the benchmark, so neither needs files from outside.

Every draw comes from one ``random.Random`` seeded with a string (hashed by SHA-512, not by
``hash()``) and nothing iterates over a set, so an instance depends on its arguments only,
never on PYTHONHASHSEED. Families:

- ``uniform``: everybody present all session, every supplier equally wanted;
- ``zipf``: supplier popularity follows a Zipf law (a few are wanted by many buyers);
- ``partial``: uniform popularity, but about half the people arrive late, leave early or
  take a break;
- ``booked``: zipf and partial together, plus meetings a third of the buyers already booked
  (some with a table, some without).
"""

from __future__ import annotations

import random
from itertools import accumulate
from typing import Any

FAMILIES = ("uniform", "zipf", "partial", "booked")


def _window(rng: random.Random, slots: int) -> list[int] | None:
    """A presence window: None (whole session) or a stretch, sometimes with one break."""
    if rng.random() < 0.5:
        return None
    length = rng.randint(max(1, slots // 3), slots)
    start = rng.randint(0, slots - length)
    present = list(range(start, start + length))
    if len(present) > 2 and rng.random() < 0.4:
        present.pop(rng.randrange(1, len(present) - 1))
    return present


def _distinct(rng: random.Random, items: list[str], cum: list[float], k: int) -> list[str]:
    """k distinct items drawn by weight (fewer if the weights make that too slow)."""
    picked: dict[str, None] = {}
    for _ in range(8 * k):
        if len(picked) >= min(k, len(items)):
            break
        picked[rng.choices(items, cum_weights=cum)[0]] = None
    return list(picked)


def generate(
    family: str, buyers: int, suppliers: int, slots: int, tables: int, seed: int = 0
) -> dict[str, Any]:
    """One instance as the JSON structure of the exchange format (``parse_instance`` input)."""
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}, expected one of {', '.join(FAMILIES)}")
    if min(buyers, suppliers, slots, tables) < 1:
        raise ValueError("buyers, suppliers, slots and tables must all be >= 1")
    rng = random.Random(f"esspresso/{family}/{buyers}/{suppliers}/{slots}/{tables}/{seed}")
    bids = [f"B{i}" for i in range(1, buyers + 1)]
    sids = [f"S{i}" for i in range(1, suppliers + 1)]
    skewed = family in ("zipf", "booked")
    limited = family in ("partial", "booked")

    ranks = list(range(1, suppliers + 1))
    rng.shuffle(ranks)  # popular suppliers are not simply S1, S2, ...
    supplier_cum = list(accumulate(1.0 / r if skewed else 1.0 for r in ranks))
    buyer_cum = list(accumulate(1.0 for _ in bids))

    people: list[dict[str, Any]] = []
    for pid in bids:
        cap = rng.choice([None, None, None, max(2, slots // 2), max(2, (3 * slots) // 4)])
        people.append({"id": pid, "role": "buyer",
                       "available": _window(rng, slots) if limited else None,
                       "max_meetings": cap})
    for pid in sids:
        cap = rng.choice([None] * 5 + [max(2, (2 * slots) // 3)])
        people.append({"id": pid, "role": "supplier",
                       "available": _window(rng, slots) if limited else None,
                       "max_meetings": cap})

    wishes: dict[tuple[str, str], int] = {}
    for b in bids:
        k = rng.randint(max(1, slots // 2), max(1, (3 * slots) // 2))
        for s in _distinct(rng, sids, supplier_cum, k):
            wishes[b, s] = rng.choices((1, 2, 3), weights=(3, 4, 3))[0]
    for s in sids:
        k = rng.randint(1, max(1, slots // 3))
        for b in _distinct(rng, bids, buyer_cum, k):
            wishes[s, b] = rng.choices((1, 2, 3), weights=(2, 5, 3))[0]

    fixed = _bookings(rng, people, wishes, slots, tables) if family == "booked" else []
    return {
        "slots": slots,
        "tables": tables,
        "participants": people,
        "wishes": [{"from": a, "to": c, "priority": p} for (a, c), p in wishes.items()],
        "fixed": fixed,
    }


def _bookings(
    rng: random.Random,
    people: list[dict[str, Any]],
    wishes: dict[tuple[str, str], int],
    slots: int,
    tables: int,
) -> list[dict[str, Any]]:
    """Up to two booked meetings for a third of the buyers, valid by construction."""
    info = {p["id"]: p for p in people}
    free = {
        pid: set(range(slots)) if p["available"] is None else set(p["available"])
        for pid, p in info.items()
    }
    count = dict.fromkeys(info, 0)
    seats: list[list[int]] = [list(range(tables, 0, -1)) for _ in range(slots)]
    buyers = [p["id"] for p in people if p["role"] == "buyer"]
    fixed: list[dict[str, Any]] = []
    for b in rng.sample(buyers, len(buyers) // 3):
        wanted = [s for (x, s) in wishes if x == b]
        rng.shuffle(wanted)
        for s in wanted[:2]:
            if any(count[v] >= (info[v]["max_meetings"] or slots) for v in (b, s)):
                continue
            common = sorted(t for t in free[b] & free[s] if seats[t])
            if not common:
                continue
            t = rng.choice(common)
            free[b].discard(t)
            free[s].discard(t)
            count[b] += 1
            count[s] += 1
            table = seats[t].pop()
            entry: dict[str, Any] = {"buyer": b, "supplier": s, "slot": t}
            if rng.random() < 0.75:  # the rest leave the table to the scheduler
                entry["table"] = table
            fixed.append(entry)
    return fixed
