"""ESSpresso instances and schedules as plain dataclasses (format: shared/esspresso/FORMAT.md).

Parsing validates everything the scheduler relies on, so that an invalid session is
reported with every conflict named instead of producing a schedule check.py rejects.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

ROLES = ("buyer", "supplier")


@dataclass(frozen=True)
class Participant:
    id: str
    role: str
    available: tuple[int, ...] | None = None
    max_meetings: int | None = None


@dataclass(frozen=True)
class Wish:
    source: str
    target: str
    priority: int


@dataclass(frozen=True)
class Meeting:
    buyer: str
    supplier: str
    slot: int
    table: int | None = None


@dataclass(frozen=True)
class Instance:
    slots: int
    tables: int
    participants: tuple[Participant, ...]
    wishes: tuple[Wish, ...] = ()
    fixed: tuple[Meeting, ...] = ()

    def by_id(self) -> dict[str, Participant]:
        return {p.id: p for p in self.participants}

    def pair_values(self) -> dict[tuple[str, str], int]:
        """Value of each (buyer, supplier) pair: both directions' priorities added."""
        role = {p.id: p.role for p in self.participants}
        values: dict[tuple[str, str], int] = defaultdict(int)
        for w in self.wishes:
            pair = (w.source, w.target) if role[w.source] == "buyer" else (w.target, w.source)
            values[pair] += w.priority
        return dict(values)

    def has_limits(self) -> bool:
        """True when availability or fixed meetings make the problem NP-hard in general."""
        return bool(self.fixed) or any(
            p.available is not None and len(p.available) < self.slots for p in self.participants
        )


@dataclass
class Schedule:
    meetings: list[Meeting] = field(default_factory=list)
    value: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "meetings": [
                {"buyer": m.buyer, "supplier": m.supplier, "slot": m.slot, "table": m.table}
                for m in self.meetings
            ],
            "value": self.value,
        }


class InvalidInstance(ValueError):
    """Raised with the full list of conflicts, so the organiser can fix them all at once."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_instance(data: Any) -> Instance:
    """Build an Instance from the JSON structure, raising InvalidInstance listing every problem."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise InvalidInstance(["the instance must be a JSON object"])
    slots, tables = data.get("slots"), data.get("tables")
    if not _int(slots) or slots < 1:
        problems.append(f"slots must be an integer >= 1, got {slots!r}")
        slots = 0
    if not _int(tables) or tables < 1:
        problems.append(f"tables must be an integer >= 1, got {tables!r}")
        tables = 0
    participants: list[Participant] = []
    seen: set[str] = set()
    raw_people = data.get("participants")
    if not isinstance(raw_people, list):
        problems.append("participants must be a list")
        raw_people = []
    for i, p in enumerate(raw_people):
        if not isinstance(p, dict) or not isinstance(p.get("id"), str):
            problems.append(f"participant #{i} has no string id")
            continue
        pid, role = p["id"], p.get("role")
        if pid in seen:
            problems.append(f"participant {pid} appears twice")
            continue
        seen.add(pid)
        if role not in ROLES:
            problems.append(f"participant {pid} has role {role!r}, expected buyer or supplier")
            continue
        avail = p.get("available")
        if avail is not None:
            if not isinstance(avail, list) or not all(_int(t) for t in avail):
                problems.append(f"participant {pid}: available must be null or a list of slots")
                avail = None
            else:
                bad = [t for t in avail if not 0 <= t < slots]
                if bad:
                    problems.append(f"participant {pid}: available slots {bad} out of range")
                avail = tuple(sorted({t for t in avail if 0 <= t < slots}))
        cap = p.get("max_meetings")
        if cap is not None and (not _int(cap) or cap < 0):
            problems.append(f"participant {pid}: max_meetings must be null or an integer >= 0")
            cap = None
        participants.append(Participant(pid, role, avail, cap))
    role = {p.id: p.role for p in participants}

    wishes: list[Wish] = []
    raw_wishes = data.get("wishes") or []
    ordered: set[tuple[str, str]] = set()
    for w in raw_wishes if isinstance(raw_wishes, list) else []:
        if not isinstance(w, dict):
            problems.append(f"wish {w!r} is not an object")
            continue
        a, b, prio = w.get("from"), w.get("to"), w.get("priority")
        where = f"wish {a}->{b}"
        unknown = [x for x in (a, b) if x not in role]
        if unknown:
            problems.append(f"{where}: unknown participant {', '.join(map(str, unknown))}")
            continue
        if role[a] == role[b]:
            problems.append(f"{where}: both are {role[a]}s, a wish joins a buyer and a supplier")
            continue
        if not _int(prio) or prio not in (1, 2, 3):
            problems.append(f"{where}: priority must be 1, 2 or 3, got {prio!r}")
            continue
        if (a, b) in ordered:
            problems.append(f"{where}: this wish appears twice")
            continue
        ordered.add((a, b))
        wishes.append(Wish(a, b, prio))
    if not isinstance(raw_wishes, list):
        problems.append("wishes must be a list")

    fixed: list[Meeting] = []
    raw_fixed = data.get("fixed") or []
    if not isinstance(raw_fixed, list):
        problems.append("fixed must be a list")
        raw_fixed = []
    people = {p.id: p for p in participants}
    busy: dict[tuple[str, int], str] = {}
    pairs: set[tuple[str, str]] = set()
    seats: dict[tuple[int, int], str] = {}
    per_slot: Counter[int] = Counter()
    per_person: Counter[str] = Counter()
    for f in raw_fixed:
        if not isinstance(f, dict):
            problems.append(f"fixed meeting {f!r} is not an object")
            continue
        b, s, t, table = f.get("buyer"), f.get("supplier"), f.get("slot"), f.get("table")
        where = f"fixed meeting {b}-{s} slot {t}"
        bad = False
        for who, want in ((b, "buyer"), (s, "supplier")):
            if who not in role:
                problems.append(f"{where}: unknown participant {who}")
                bad = True
            elif role[who] != want:
                problems.append(f"{where}: {who} is not a {want}")
                bad = True
        if not _int(t) or not 0 <= t < slots:
            problems.append(f"{where}: slot out of range 0..{slots - 1}")
            bad = True
        if table is not None and (not _int(table) or not 1 <= table <= tables):
            problems.append(f"{where}: table {table!r} out of range 1..{tables}")
            bad = True
        if bad:
            continue
        if (b, s) in pairs:
            problems.append(f"{where}: this pair is booked twice")
            continue
        pairs.add((b, s))
        for who in (b, s):
            avail = people[who].available
            if avail is not None and t not in avail:
                problems.append(f"{where}: {who} is not available in slot {t}")
            if (who, t) in busy:
                problems.append(f"{where}: {who} already meets {busy[who, t]} in slot {t}")
            else:
                busy[who, t] = s if who == b else b
            per_person[who] += 1
        if table is not None:
            if (t, table) in seats:
                problems.append(f"{where}: table {table} already taken by {seats[t, table]}")
            seats[t, table] = f"{b}-{s}"
        per_slot[t] += 1
        fixed.append(Meeting(b, s, t, table))
    for t, n in sorted(per_slot.items()):
        if n > tables:
            problems.append(f"slot {t}: {n} fixed meetings but only {tables} tables")
    for who, n in sorted(per_person.items()):
        cap = people[who].max_meetings
        if cap is not None and n > cap:
            problems.append(f"{who}: {n} fixed meetings, more than max_meetings={cap}")
    if problems:
        raise InvalidInstance(problems)
    return Instance(slots, tables, tuple(participants), tuple(wishes), tuple(fixed))


def instance_to_dict(instance: Instance) -> dict[str, Any]:
    """Inverse of parse_instance, for the benchmark and tests."""
    return {
        "slots": instance.slots,
        "tables": instance.tables,
        "participants": [
            {
                "id": p.id,
                "role": p.role,
                "available": None if p.available is None else list(p.available),
                "max_meetings": p.max_meetings,
            }
            for p in instance.participants
        ],
        "wishes": [{"from": w.source, "to": w.target, "priority": w.priority}
                   for w in instance.wishes],
        "fixed": [
            {"buyer": m.buyer, "supplier": m.supplier, "slot": m.slot}
            | ({} if m.table is None else {"table": m.table})
            for m in instance.fixed
        ],
    }


def check_schedule(instance: Instance, schedule: Schedule) -> tuple[list[str], int]:
    """Every validity rule of the exchange format, and the value the meetings are worth.

    The project's own validator: the CLI runs it before printing anything, and the tests and
    the benchmark judge every schedule with it, so they need nothing from outside the repo.
    """
    problems: list[str] = []
    people = instance.by_id()
    values = instance.pair_values()
    fixed = {(m.buyer, m.supplier): m for m in instance.fixed}
    pairs: set[tuple[str, str]] = set()
    busy: set[tuple[str, int]] = set()
    seats: set[tuple[int, int]] = set()
    count: Counter[str] = Counter()
    value = 0
    for m in schedule.meetings:
        where = f"meeting {m.buyer}-{m.supplier} slot {m.slot} table {m.table}"
        buyer = people.get(m.buyer) if isinstance(m.buyer, str) else None
        supplier = people.get(m.supplier) if isinstance(m.supplier, str) else None
        if buyer is None or buyer.role != "buyer":  # rule 1
            problems.append(f"{where}: {m.buyer!r} is not a buyer")
            continue
        if supplier is None or supplier.role != "supplier":
            problems.append(f"{where}: {m.supplier!r} is not a supplier")
            continue
        pair = (m.buyer, m.supplier)
        if pair not in values and pair not in fixed:
            problems.append(f"{where}: nobody asked for it")
        if pair in pairs:  # rule 2
            problems.append(f"{where}: pair meets twice")
        pairs.add(pair)
        if not _int(m.slot) or not 0 <= m.slot < instance.slots:  # rule 3
            problems.append(f"{where}: slot out of range 0..{instance.slots - 1}")
            continue
        for who in pair:
            avail = people[who].available
            if avail is not None and m.slot not in avail:
                problems.append(f"{where}: {who} not available in slot {m.slot}")
            if (who, m.slot) in busy:
                problems.append(f"{where}: {who} has two meetings in slot {m.slot}")
            busy.add((who, m.slot))
            count[who] += 1
        if not _int(m.table) or not 1 <= m.table <= instance.tables:  # rule 5
            problems.append(f"{where}: table out of range 1..{instance.tables}")
        elif (m.slot, m.table) in seats:
            problems.append(f"{where}: table taken twice in slot {m.slot}")
        else:
            seats.add((m.slot, m.table))
        value += values.get(pair, 0)
    for who, n in sorted(count.items()):  # rule 4
        cap = people[who].max_meetings
        if cap is not None and n > cap:
            problems.append(f"{who}: {n} meetings > max_meetings={cap}")
    got = {(m.buyer, m.supplier): m for m in schedule.meetings
           if isinstance(m.buyer, str) and isinstance(m.supplier, str)}
    for pair, f in fixed.items():  # rule 6
        m = got.get(pair)
        if m is None or m.slot != f.slot or (f.table is not None and m.table != f.table):
            problems.append(f"fixed meeting {pair[0]}-{pair[1]} slot {f.slot} missing or moved")
    return problems, value


def schedule_problems(instance: Instance, schedule: Schedule) -> list[str]:
    """The rules of the format checked before anything is printed, claimed value included."""
    problems, value = check_schedule(instance, schedule)
    if value != schedule.value:
        problems.append(f"value {schedule.value} claimed, meetings worth {value}")
    return problems
