"""Time-indexed integer program of a session, solved by HiGHS through SciPy.

Used as the exact reference in tests, as the LP upper bound and MILP baseline in the
benchmark; the scheduler itself does not need it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_matrix

from .instance import Instance, Meeting, Schedule


@dataclass
class ExactResult:
    schedule: Schedule | None
    value: float  # objective of the solution found (fixed meetings included)
    bound: float  # proven upper bound (LP value when relaxed)
    seconds: float
    status: str


def solve_exact(
    instance: Instance, relax: bool = False, time_limit: float | None = None
) -> ExactResult:
    """Solve (or relax) the time-indexed model: x[pair, slot] binary."""
    start = time.perf_counter()
    people = instance.by_id()
    slots, tables = instance.slots, instance.tables
    full = frozenset(range(slots))
    values = instance.pair_values()
    busy: dict[str, set[int]] = {p: set() for p in people}
    used = [0] * slots
    count = dict.fromkeys(people, 0)
    fixed_value = 0
    fixed_pairs = set()
    for m in instance.fixed:
        busy[m.buyer].add(m.slot)
        busy[m.supplier].add(m.slot)
        used[m.slot] += 1
        count[m.buyer] += 1
        count[m.supplier] += 1
        fixed_value += values.get((m.buyer, m.supplier), 0)
        fixed_pairs.add((m.buyer, m.supplier))

    def free(pid: str) -> set[int]:
        p = people[pid]
        return set(full if p.available is None else p.available) - busy[pid]

    def cap(pid: str) -> int:
        c = people[pid].max_meetings
        return slots - count[pid] if c is None else c - count[pid]

    frees = {p: free(p) for p in people}
    cols: list[tuple[str, str, int]] = []
    weights: list[int] = []
    for (b, s), w in sorted(values.items()):
        if (b, s) in fixed_pairs or cap(b) <= 0 or cap(s) <= 0:
            continue
        for t in sorted(frees[b] & frees[s]):
            cols.append((b, s, t))
            weights.append(w)
    n = len(cols)
    rows: dict[tuple, int] = {}
    ub: list[float] = []
    data_r: list[int] = []
    data_c: list[int] = []

    def row(key: tuple, upper: float) -> int:
        if key not in rows:
            rows[key] = len(ub)
            ub.append(upper)
        return rows[key]

    for j, (b, s, t) in enumerate(cols):
        for key, upper in (
            (("pair", b, s), 1),
            (("at", b, t), 1),
            (("at", s, t), 1),
            (("cap", b), cap(b)),
            (("cap", s), cap(s)),
            (("slot", t), tables - used[t]),
        ):
            data_r.append(row(key, upper))
            data_c.append(j)
    if n == 0:
        sched = Schedule(list(instance.fixed), fixed_value)
        return ExactResult(sched, fixed_value, fixed_value, time.perf_counter() - start, "empty")
    a = csr_matrix((np.ones(len(data_r)), (data_r, data_c)), shape=(len(ub), n))
    options: dict[str, object] = {"disp": False}
    if time_limit is not None:
        options["time_limit"] = time_limit
    res = milp(
        c=-np.asarray(weights, dtype=float),
        constraints=LinearConstraint(a, -np.inf, np.asarray(ub, dtype=float)),
        integrality=np.zeros(n) if relax else np.ones(n),
        bounds=Bounds(0, 1),
        options=options,
    )
    seconds = time.perf_counter() - start
    if res.x is None:
        return ExactResult(None, float("nan"), float("inf"), seconds, res.message)
    value = fixed_value - float(res.fun)
    if relax:
        return ExactResult(None, value, value, seconds, res.message)
    bound = fixed_value - float(getattr(res, "mip_dual_bound", res.fun))
    chosen = [cols[j] for j in np.flatnonzero(res.x > 0.5)]
    meetings = list(instance.fixed) + [Meeting(b, s, t) for b, s, t in chosen]
    from .scheduler import assign_tables  # local import: scheduler does not depend on us

    sched = Schedule(assign_tables(instance, meetings), round(value))
    return ExactResult(sched, value, bound, seconds, res.message)
