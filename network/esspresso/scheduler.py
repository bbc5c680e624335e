"""ESSpresso scheduling engine: which buyer meets which supplier, when, at which table.

Pure Python plus SciPy's HiGHS for linear programs; no Flask, no database. Algorithm
(exact without limits by König's edge-colouring theorem and de Werra's equitable colouring):

1. choose the pairs by a max-weight degree-constrained subgraph (the LP below has a
   network matrix, so HiGHS returns an integral optimum);
2. without availability limits or fixed meetings: colour the chosen edges with the
   slots (Kempe chains), then balance the colour classes (de Werra) so no slot needs
   more tables than exist -- optimal;
3. with limits: place the chosen edges slot by slot with ejection chains, then
   re-optimise windows of a few consecutive slots exactly (large neighbourhood search:
   the time-indexed LP of the window, integral in practice, rounded when not), until
   the value reaches the bound of step 1 or the windows stop paying;
4. in both cases, compact agendas (fewer idle gaps) by moves that keep the value.
"""

from __future__ import annotations

import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_matrix

from .instance import Instance, Meeting, Schedule

FIXED = -2
FREE = -1


@dataclass
class Summary:
    meetings: int
    value: int
    wishes_met: dict[int, int]
    wishes_total: dict[int, int]
    idle_gaps: int
    seconds: float

    def line(self) -> str:
        met = " ".join(
            f"p{p}={self.wishes_met.get(p, 0)}/{self.wishes_total.get(p, 0)}" for p in (3, 2, 1)
        )
        return (
            f"meetings={self.meetings} value={self.value} wishes_met {met} "
            f"idle_gaps={self.idle_gaps} seconds={self.seconds:.2f}"
        )


def gaps_of(mask: int) -> int:
    """Idle slots between a person's first and last meeting."""
    if not mask:
        return 0
    low = (mask & -mask).bit_length() - 1
    return mask.bit_length() - low - mask.bit_count()


def _bits(mask: int) -> list[int]:
    out = []
    while mask:
        low = mask & -mask
        out.append(low.bit_length() - 1)
        mask ^= low
    return out


class _Engine:
    """Mutable search state: people and candidate pairs as integer indexes, slots as bitmasks."""

    def __init__(self, instance: Instance, seed: int, deadline: float):
        self.inst = instance
        self.rng = random.Random(seed)
        self.deadline = deadline
        t_count = instance.slots
        self.T = t_count
        self.tables = instance.tables
        full = (1 << t_count) - 1
        self.ids = [p.id for p in instance.participants]
        index = {pid: i for i, pid in enumerate(self.ids)}
        self.index = index
        n = len(self.ids)
        self.avail = [
            full if p.available is None else sum(1 << t for t in p.available)
            for p in instance.participants
        ]
        self.cap = [
            t_count if p.max_meetings is None else min(p.max_meetings, t_count)
            for p in instance.participants
        ]
        self.occ = [0] * n
        self.deg = [0] * n
        self.at = [[FREE] * t_count for _ in range(n)]
        self.cnt = [0] * t_count
        self.full_mask = 0
        values = instance.pair_values()
        fixed_pairs = set()
        for m in instance.fixed:
            b, s = index[m.buyer], index[m.supplier]
            fixed_pairs.add((m.buyer, m.supplier))
            for v in (b, s):
                self.occ[v] |= 1 << m.slot
                self.deg[v] += 1
                self.at[v][m.slot] = FIXED
            self.cnt[m.slot] += 1
        for t in range(t_count):
            if self.cnt[t] >= self.tables:
                self.full_mask |= 1 << t
        self.fixed_value = sum(values.get((m.buyer, m.supplier), 0) for m in instance.fixed)
        self.bound = self.fixed_value  # raised by select(): no schedule can do better
        self.placed_value = self.fixed_value
        self.eb: list[int] = []
        self.es: list[int] = []
        self.w: list[int] = []
        self.allowed: list[int] = []
        for (bid, sid), w in sorted(values.items()):
            if (bid, sid) in fixed_pairs:
                continue
            b, s = index[bid], index[sid]
            allowed = self.avail[b] & self.avail[s] & ~self.occ[b] & ~self.occ[s]
            if not allowed or self.deg[b] >= self.cap[b] or self.deg[s] >= self.cap[s]:
                continue
            self.eb.append(b)
            self.es.append(s)
            self.w.append(w)
            self.allowed.append(allowed)
        m = len(self.w)
        self.slot = [FREE] * m
        self.members: list[list[int]] = [[] for _ in range(t_count)]
        self.pos = [0] * m
        self.edges_of: list[list[int]] = [[] for _ in range(n)]
        for e in range(m):
            self.edges_of[self.eb[e]].append(e)
            self.edges_of[self.es[e]].append(e)

    # ----- state changes -------------------------------------------------------------
    def place(self, e: int, t: int) -> None:
        b, s = self.eb[e], self.es[e]
        self.slot[e] = t
        self.at[b][t] = e
        self.at[s][t] = e
        bit = 1 << t
        self.occ[b] |= bit
        self.occ[s] |= bit
        self.deg[b] += 1
        self.deg[s] += 1
        self.cnt[t] += 1
        if self.cnt[t] >= self.tables:
            self.full_mask |= bit
        self.pos[e] = len(self.members[t])
        self.members[t].append(e)
        self.placed_value += self.w[e]

    def unplace(self, e: int) -> int:
        t = self.slot[e]
        b, s = self.eb[e], self.es[e]
        self.slot[e] = FREE
        self.at[b][t] = FREE
        self.at[s][t] = FREE
        bit = 1 << t
        self.occ[b] &= ~bit
        self.occ[s] &= ~bit
        self.deg[b] -= 1
        self.deg[s] -= 1
        self.cnt[t] -= 1
        if self.cnt[t] < self.tables:
            self.full_mask &= ~bit
        lst = self.members[t]
        last = lst.pop()
        if last != e:
            lst[self.pos[e]] = last
            self.pos[last] = self.pos[e]
        self.placed_value -= self.w[e]
        return t

    def value(self) -> int:
        return self.placed_value

    def optimal(self) -> bool:
        return self.placed_value >= self.bound

    # ----- step 1: which pairs meet -------------------------------------------------
    def select(self) -> list[int]:
        """Max-weight degree-constrained subgraph, exact by total unimodularity."""
        m = len(self.w)
        if m == 0:
            return []
        n = len(self.ids)
        rows = np.concatenate([np.asarray(self.eb), np.asarray(self.es), np.full(m, n)])
        cols = np.concatenate([np.arange(m)] * 3)
        a = csr_matrix((np.ones(3 * m), (rows, cols)), shape=(n + 1, m))
        ub = [
            min(self.cap[v] - self.deg[v], (self.avail[v] & ~self.occ[v]).bit_count())
            for v in range(n)
        ]
        ub.append(sum(max(0, self.tables - c) for c in self.cnt))
        res = milp(
            c=-np.asarray(self.w, dtype=float),
            constraints=LinearConstraint(a, -np.inf, np.asarray(ub, dtype=float)),
            integrality=np.ones(m),
            bounds=Bounds(0, 1),
            options={"disp": False},
        )
        if res.x is None:  # pragma: no cover - HiGHS always solves this bounded LP
            return []
        chosen = [int(e) for e in np.flatnonzero(res.x > 0.5)]
        self.bound = self.fixed_value + sum(self.w[e] for e in chosen)
        return chosen

    # ----- step 2: colouring without limits -----------------------------------------
    def colour(self, chosen: list[int]) -> None:
        """Proper edge colouring with T colours (König, via Kempe chains), then balance."""
        full = (1 << self.T) - 1
        for e in chosen:
            b, s = self.eb[e], self.es[e]
            free_b = full & ~self.occ[b]
            free_s = full & ~self.occ[s]
            both = free_b & free_s
            if both:
                self.place(e, (both & -both).bit_length() - 1)
                continue
            a = (free_b & -free_b).bit_length() - 1
            c = (free_s & -free_s).bit_length() - 1
            # s uses a, misses c: swap a/c on the path from s; it cannot reach b.
            self._swap_path(s, a, c)
            self.place(e, a)
        self.balance()

    def _path(self, v: int, a: int, c: int) -> list[int]:
        """Alternating a/c path from v (empty when it runs into a fixed meeting)."""
        path = []
        col = a
        while True:
            f = self.at[v][col]
            if f == FIXED:
                return []
            if f < 0:
                return path
            path.append(f)
            v = self.es[f] if self.eb[f] == v else self.eb[f]
            col = c if col == a else a

    def _swap_path(self, v: int, a: int, c: int) -> None:
        path = self._path(v, a, c)
        olds = [self.unplace(f) for f in path]
        for f, t in zip(path, olds, strict=True):
            self.place(f, c if t == a else a)

    def balance(self) -> None:
        """de Werra: swap a-heavy alternating paths until every slot fits the tables."""
        while True:
            big = max(range(self.T), key=lambda t: (self.cnt[t], -t))
            if self.cnt[big] <= self.tables:
                return
            small = min(range(self.T), key=lambda t: (self.cnt[t], t))
            need = (self.cnt[big] - self.cnt[small]) // 2
            seen: set[int] = set()
            for e in list(self.members[big]):
                if need <= 0:
                    break
                if e in seen:
                    continue
                for v in (self.eb[e], self.es[e]):
                    if self.at[v][small] == FREE:
                        path = self._path(v, big, small)
                        seen.update(path)
                        if len(path) % 2 == 1:
                            olds = [self.unplace(f) for f in path]
                            for f, t in zip(path, olds, strict=True):
                                self.place(f, small if t == big else big)
                            need -= 1
                        break

    # ----- step 3: placement with limits --------------------------------------------
    def _best_slot(self, e: int, mask: int) -> int:
        """Among free slots, the one that keeps both agendas compact."""
        b, s = self.eb[e], self.es[e]
        best, best_key = -1, None
        for t in _bits(mask):
            bit = 1 << t
            key = (
                gaps_of(self.occ[b] | bit) - gaps_of(self.occ[b])
                + gaps_of(self.occ[s] | bit) - gaps_of(self.occ[s]),
                t,
            )
            if best_key is None or key < best_key:
                best, best_key = t, key
        return best

    def free_slots(self, e: int) -> int:
        b, s = self.eb[e], self.es[e]
        return self.allowed[e] & ~self.occ[b] & ~self.occ[s] & ~self.full_mask

    def try_place(self, e0: int, limit: int = 300) -> bool:
        """Place an unplaced edge, moving others along an ejection chain (BFS) if needed."""
        free = self.free_slots(e0)
        if free:
            self.place(e0, self._best_slot(e0, free))
            return True
        if self._kempe_insert(e0):
            return True
        parent: dict[int, tuple[int, int]] = {e0: (-1, -1)}
        queue = [e0]
        head = 0
        while head < len(queue) and head < limit:
            f = queue[head]
            head += 1
            fb, fs = self.eb[f], self.es[f]
            own = 0 if self.slot[f] < 0 else 1 << self.slot[f]
            opts = self.allowed[f] & ~own
            if f != e0:
                free = opts & ~self.occ[fb] & ~self.occ[fs] & ~self.full_mask
                if free:
                    if self._apply_chain(f, self._best_slot(f, free), parent):
                        return True
                    continue
            for t in _bits(opts):
                x, y = self.at[fb][t], self.at[fs][t]
                if x == FIXED or y == FIXED or (x >= 0 and y >= 0):
                    continue
                if x >= 0 or y >= 0:
                    cands = [x if x >= 0 else y]
                elif self.cnt[t] >= self.tables:
                    lst = self.members[t]
                    if not lst:
                        continue
                    cands = [lst[self.rng.randrange(len(lst))] for _ in range(2)]
                else:
                    continue
                for g in cands:
                    if g not in parent:
                        parent[g] = (f, t)
                        queue.append(g)
        return False

    def _kempe_insert(self, e: int) -> bool:
        """Free a slot for e by swapping two slots along an alternating path (König's step)."""
        b, s = self.eb[e], self.es[e]
        for x, y in ((b, s), (s, b)):
            # slot a: x free, y busy; slot c: y free; swap a/c on y's path
            for a in _bits(self.allowed[e] & ~self.occ[x] & self.occ[y]):
                for c in _bits(self.avail[y] & ~self.occ[y]):
                    path = self._path(y, a, c)
                    if not path:
                        continue
                    delta_a = sum(1 if self.slot[f] == c else -1 for f in path)
                    if (self.cnt[a] + delta_a + 1 > self.tables
                            or self.cnt[c] - delta_a > self.tables):
                        continue
                    if any(not (self.allowed[f] >> (c if self.slot[f] == a else a)) & 1
                           for f in path):
                        continue
                    olds = [self.unplace(f) for f in path]
                    for f, t in zip(path, olds, strict=True):
                        self.place(f, c if t == a else a)
                    self.place(e, a)
                    return True
        return False

    def _apply_chain(self, last: int, t_end: int, parent: dict[int, tuple[int, int]]) -> bool:
        moves = [(last, t_end)]
        g = last
        while True:
            f, t = parent[g]
            if f < 0:
                break
            moves.append((f, t))
            g = f
        undo: list[tuple[int, int]] = []  # (edge, old slot)
        for f, t in moves:
            old = self.slot[f]
            if old >= 0:
                self.unplace(f)
            b, s = self.eb[f], self.es[f]
            if self.at[b][t] != FREE or self.at[s][t] != FREE or self.cnt[t] >= self.tables:
                if old >= 0:
                    self.place(f, old)
                for g2, o2 in reversed(undo):
                    self.unplace(g2)
                    if o2 >= 0:
                        self.place(g2, o2)
                return False
            self.place(f, t)
            undo.append((f, old))
        return True

    def _under_cap(self, e: int) -> bool:
        b, s = self.eb[e], self.es[e]
        return self.deg[b] < self.cap[b] and self.deg[s] < self.cap[s]

    def place_all(self, chosen: list[int]) -> None:
        order = sorted(chosen, key=lambda e: (self.allowed[e].bit_count(), -self.w[e], e))
        for e in order:
            if self._under_cap(e):
                self.try_place(e)

    # ----- step 3b: exact re-optimisation of a few slots at a time ----------------------
    def reoptimise(self, stages: tuple[tuple[int, int], ...] = ((4, 3), (8, 1))) -> None:
        """Large neighbourhood search: free every meeting of a few slots, solve them exactly.

        Each sub-problem is the time-indexed program restricted to a window of consecutive
        slots, the rest of the schedule frozen; its current content is feasible, so the value
        never drops. Stages of (width, sweeps) go from narrow, cheap windows to wide ones;
        windows come in a fixed order, so the result is deterministic. The search stops at
        the selection bound, which proves optimality.
        """
        gains = 0
        fruitless: dict[tuple[int, ...], int] = {}  # window -> gains when it last gave none
        for width, sweeps in stages:
            width = min(width, self.T)
            windows: list[tuple[int, ...]] = []
            for offset in sorted({0, width // 2}):
                starts = range(offset, self.T, width) if width < self.T else [0]
                windows += [tuple(range(i, min(i + width, self.T))) for i in starts]
            for _ in range(sweeps):
                before = gains
                for window in windows:
                    if self.optimal() or time.perf_counter() > self.deadline:
                        return
                    if fruitless.get(window) == gains:
                        continue  # nothing changed since it was solved: same answer
                    if self._solve_window(list(window)):
                        gains += 1
                    else:
                        fruitless[window] = gains
                if gains == before:
                    break

    def _solve_window(self, window: list[int]) -> bool:
        mask = sum(1 << t for t in window)
        freed = [e for t in window for e in self.members[t]]
        before = sum(self.w[e] for e in freed)
        old = {e: self.unplace(e) for e in freed}
        room = {t: self.tables - self.cnt[t] for t in window}
        # When every table of the window is taken, a newcomer lighter than all the freed
        # meetings could only replace a heavier one: leave it out to keep the program small.
        full = len(freed) >= sum(room.values())
        lightest = min((self.w[e] for e in freed), default=0) if full else 0
        cols: list[tuple[int, int]] = []
        for e in range(len(self.w)):
            if self.slot[e] >= 0 or self.w[e] < lightest or not self._under_cap(e):
                continue
            b, s = self.eb[e], self.es[e]
            for t in _bits(self.allowed[e] & mask & ~self.occ[b] & ~self.occ[s]):
                cols.append((e, t))
        best = self._window_program(cols, room, before)
        if best is None or sum(self.w[e] for e, _ in best) <= before:
            for e, t in old.items():
                self.place(e, t)
            return False
        for e, t in best:
            self.place(e, t)
        return True

    def _window_program(
        self, cols: list[tuple[int, int]], room: dict[int, int], current: int
    ) -> list[tuple[int, int]] | None:
        """Best (edge, slot) choice of a window: LP first (mostly integral), MIP if not.

        None when the window cannot beat `current`, the value of what it holds now.
        """
        if not cols:
            return []
        rows: dict[tuple[int, int, int], int] = {}
        upper: list[float] = []
        r_idx: list[int] = []
        c_idx: list[int] = []

        def row(key: tuple[int, int, int], bound: int) -> int:
            if key not in rows:
                rows[key] = len(upper)
                upper.append(bound)
            return rows[key]

        for j, (e, t) in enumerate(cols):
            b, s = self.eb[e], self.es[e]
            for key, bound in (
                ((0, e, 0), 1),  # a pair meets once
                ((1, b, t), 1),  # one meeting per person and slot
                ((1, s, t), 1),
                ((2, b, 0), self.cap[b] - self.deg[b]),
                ((2, s, 0), self.cap[s] - self.deg[s]),
                ((3, t, 0), room[t]),
            ):
                r_idx.append(row(key, bound))
                c_idx.append(j)
        a = csr_matrix((np.ones(len(r_idx)), (r_idx, c_idx)), shape=(len(upper), len(cols)))
        cost = -np.asarray([self.w[e] for e, _ in cols], dtype=float)
        constraint = LinearConstraint(a, -np.inf, np.asarray(upper, dtype=float))
        res = milp(c=cost, constraints=constraint, integrality=np.zeros(len(cols)),
                   bounds=Bounds(0, 1), options={"disp": False})
        if res.x is None or -res.fun < current + 1 - 1e-6:  # weights are integers
            return None
        x = res.x
        if np.any(np.minimum(x, 1 - x) > 1e-6):
            # A gain is possible but the LP is fractional: branch and bound, with a node
            # limit (deterministic, unlike a time limit) and the deadline as a safety net.
            left = self.deadline - time.perf_counter()
            mip = milp(c=cost, constraints=constraint, integrality=np.ones(len(cols)),
                       bounds=Bounds(0, 1),
                       options={"disp": False, "node_limit": 200,
                                "time_limit": max(0.1, min(left, 20.0))})
            if mip.x is not None:
                x = np.round(mip.x)
        # Integral now, or rounded (surest choices first, each kept if it still fits); the
        # caller keeps the old content unless this is worth more.
        by_col = a.tocsc()
        load = [0] * len(upper)
        out = []
        for j in sorted(np.flatnonzero(x > 1e-6), key=lambda j: (-x[j], cost[j], j)):
            idx = by_col.indices[by_col.indptr[j]:by_col.indptr[j + 1]]
            if all(load[i] < upper[i] for i in idx):
                for i in idx:
                    load[i] += 1
                out.append(cols[j])
        return out

    # ----- step 4: compact agendas --------------------------------------------------
    def total_gaps(self) -> int:
        return sum(gaps_of(m) for m in self.occ)

    def compact(self, max_rounds: int = 20) -> None:
        """Value-preserving moves that reduce idle gaps: single moves and Kempe swaps."""
        for _ in range(max_rounds):
            improved = False
            for e in range(len(self.w)):
                if time.perf_counter() > self.deadline:
                    return
                t = self.slot[e]
                if t < 0:
                    continue
                if self._move_better(e, t) or self._kempe_better(e, t):
                    improved = True
            if not improved:
                return

    def _move_better(self, e: int, t: int) -> bool:
        b, s = self.eb[e], self.es[e]
        bit = 1 << t
        ob, os_ = self.occ[b] & ~bit, self.occ[s] & ~bit
        cur = gaps_of(self.occ[b]) + gaps_of(self.occ[s])
        free = self.allowed[e] & ~ob & ~os_ & ~self.full_mask & ~bit
        best, best_t = cur, -1
        for u in _bits(free):
            ub = 1 << u
            g = gaps_of(ob | ub) + gaps_of(os_ | ub)
            if g < best:
                best, best_t = g, u
        if best_t < 0:
            return False
        self.unplace(e)
        self.place(e, best_t)
        return True

    def _kempe_better(self, e: int, a: int) -> bool:
        b, s = self.eb[e], self.es[e]
        for c in range(self.T):
            if c == a:
                continue
            # component of colours a/c containing e: walk both directions from e
            comp = [e]
            ends = []
            for v, col in ((b, c), (s, c)):
                cur_v, cur_col = v, col
                while True:
                    f = self.at[cur_v][cur_col]
                    if f == FREE:
                        ends.append(cur_v)
                        break
                    if f == FIXED or f == e:
                        comp = []
                        break
                    comp.append(f)
                    cur_v = self.es[f] if self.eb[f] == cur_v else self.eb[f]
                    cur_col = a if cur_col == c else c
                if not comp:
                    break
            if not comp or len(ends) != 2:
                continue
            delta_a = sum(1 if self.slot[f] == c else -1 for f in comp)
            if self.cnt[a] + delta_a > self.tables or self.cnt[c] - delta_a > self.tables:
                continue
            if any(not (self.allowed[f] >> (c if self.slot[f] == a else a)) & 1 for f in comp):
                continue
            before = sum(gaps_of(self.occ[v]) for v in set(ends))
            swap = (1 << a) | (1 << c)
            after = 0
            for v in set(ends):
                m = self.occ[v]
                if (m & swap) != swap:
                    m ^= swap
                after += gaps_of(m)
            if after < before:
                olds = [self.unplace(f) for f in comp]
                for f, t in zip(comp, olds, strict=True):
                    self.place(f, c if t == a else a)
                return True
        return False

    def meetings(self) -> list[Meeting]:
        out = list(self.inst.fixed)
        for e in range(len(self.w)):
            if self.slot[e] >= 0:
                out.append(Meeting(self.ids[self.eb[e]], self.ids[self.es[e]], self.slot[e]))
        return out


def assign_tables(instance: Instance, meetings: list[Meeting]) -> list[Meeting]:
    """Number the tables: fixed ones stay, a supplier keeps its table when it can."""
    taken: dict[int, set[int]] = defaultdict(set)
    for m in meetings:
        if m.table is not None:
            taken[m.slot].add(m.table)
    last_table: dict[str, int] = {}
    out: list[Meeting] = []
    by_slot: dict[int, list[Meeting]] = defaultdict(list)
    for m in meetings:
        by_slot[m.slot].append(m)
    for t in sorted(by_slot):
        free = [k for k in range(instance.tables, 0, -1) if k not in taken[t]]
        free_set = set(free)
        for m in sorted(by_slot[t], key=lambda m: (m.table is None, m.supplier, m.buyer)):
            table = m.table
            if table is None:
                want = last_table.get(m.supplier)
                if want is not None and want in free_set:
                    table = want
                else:
                    while free[-1] not in free_set:
                        free.pop()
                    table = free[-1]
                free_set.discard(table)
            last_table[m.supplier] = table
            out.append(Meeting(m.buyer, m.supplier, m.slot, table))
    out.sort(key=lambda m: (m.slot, m.table or 0))
    return out


def solve(instance: Instance, time_limit: float | None = None, seed: int = 0) -> Schedule:
    """Best schedule found; optimal when nobody has availability limits and nothing is fixed.

    Deterministic for a given (instance, seed) unless time_limit cuts the search short.
    """
    deadline = time.perf_counter() + (time_limit if time_limit is not None else 3600.0)
    eng = _Engine(instance, seed, deadline)
    chosen = eng.select()
    if not instance.has_limits():
        eng.colour(chosen)
    else:
        eng.place_all(chosen)
        eng.reoptimise()
    eng.compact()
    meetings = assign_tables(instance, eng.meetings())
    return Schedule(meetings, eng.value())


def summarize(instance: Instance, schedule: Schedule, seconds: float = 0.0) -> Summary:
    """Figures for the one-line report of the command and for the benchmark."""
    met_pairs = {(m.buyer, m.supplier) for m in schedule.meetings}
    role = {p.id: p.role for p in instance.participants}
    met: Counter[int] = Counter()
    total: Counter[int] = Counter()
    for w in instance.wishes:
        pair = (w.source, w.target) if role[w.source] == "buyer" else (w.target, w.source)
        total[w.priority] += 1
        if pair in met_pairs:
            met[w.priority] += 1
    masks: dict[str, int] = defaultdict(int)
    for m in schedule.meetings:
        masks[m.buyer] |= 1 << m.slot
        masks[m.supplier] |= 1 << m.slot
    gaps = sum(gaps_of(v) for v in masks.values())
    return Summary(len(schedule.meetings), schedule.value, dict(met), dict(total), gaps, seconds)
