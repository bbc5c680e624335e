"""ESSpresso instances and schedules as plain dataclasses, with their JSON exchange format.

Instance: ``{"slots": int, "tables": int, "participants": [{"id", "role": "buyer" |
"supplier", "available": [slot, ...] | null, "max_meetings": int | null}], "wishes":
[{"from", "to", "priority": 1 | 2 | 3}], "fixed": [{"buyer", "supplier", "slot", "table"?}]}``.
Schedule: ``{"meetings": [{"buyer", "supplier", "slot", "table"}], "value": int}``; the
validity rules and the value are those of ``check_schedule``.

Parsing validates everything the scheduler relies on, so that an invalid session is
reported with every conflict named (in French) instead of producing a wrong schedule.
Sizes are capped (MAX_SLOTS = 200, MAX_TABLES = 1000, MAX_PARTICIPANTS = 5000,
MAX_WISHES = 200 000 wishes or fixed meetings, ids of at most 200 characters).
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
    """Raised with the full list of conflicts, so the organiser can fix them all at once.

    Messages are in French: they are shown to organisers as they are.
    """

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


# Sane maxima: far above a real session (a few hundred people, 8-20 slots), low enough that
# an absurd file is refused in milliseconds instead of exhausting memory.
MAX_SLOTS = 200
MAX_TABLES = 1000
MAX_PARTICIPANTS = 5000
MAX_WISHES = 200_000
MAX_ID_LENGTH = 200


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _show(value: Any, limit: int = 40) -> str:
    """A short, safe rendering of any JSON value for a message (no deep recursion)."""
    if isinstance(value, str):
        text = repr(value)
    elif _int(value) and value.bit_length() > 64:
        text = "un entier démesuré"  # repr() itself refuses ints beyond 4300 digits
    elif value is None or isinstance(value, bool | int | float):
        text = "null" if value is None else repr(value)
    elif isinstance(value, list):
        text = f"une liste de {len(value)} éléments"
    elif isinstance(value, dict):
        text = f"un objet de {len(value)} champs"
    else:
        text = type(value).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _count(value: Any, low: int, high: int) -> bool:
    return _int(value) and low <= value <= high


def parse_instance(data: Any) -> Instance:
    """Build an Instance from the JSON structure, raising InvalidInstance listing every problem.

    Any JSON value is accepted as input: whatever its shape, the outcome is an Instance or
    InvalidInstance, never another exception (a fuzz test holds us to that).
    """
    if not isinstance(data, dict):
        raise InvalidInstance([f"l'instance doit être un objet JSON, reçu {_show(data)}"])
    problems: list[str] = []
    slots, tables = data.get("slots"), data.get("tables")
    if not _count(slots, 1, MAX_SLOTS):
        problems.append(f"slots doit être un entier entre 1 et {MAX_SLOTS}, reçu {_show(slots)}")
        slots = 0
    if not _count(tables, 1, MAX_TABLES):
        problems.append(
            f"tables doit être un entier entre 1 et {MAX_TABLES}, reçu {_show(tables)}"
        )
        tables = 0
    participants: list[Participant] = []
    seen: set[str] = set()
    raw_people = data.get("participants")
    if not isinstance(raw_people, list):
        problems.append(f"participants doit être une liste, reçu {_show(raw_people)}")
        raw_people = []
    if len(raw_people) > MAX_PARTICIPANTS:
        problems.append(f"{len(raw_people)} participants, plus que le maximum {MAX_PARTICIPANTS}")
        raw_people = []
    for i, p in enumerate(raw_people):
        pid = p.get("id") if isinstance(p, dict) else None
        if not isinstance(pid, str) or not 1 <= len(pid) <= MAX_ID_LENGTH:
            problems.append(f"participant n°{i} : id doit être un texte non vide "
                            f"(au plus {MAX_ID_LENGTH} caractères), reçu {_show(pid)}")
            continue
        assert isinstance(p, dict)
        role = p.get("role")
        if pid in seen:
            problems.append(f"participant {_show(pid)} : cet id apparaît deux fois")
            continue
        seen.add(pid)
        if role not in ROLES:
            problems.append(f"participant {_show(pid)} : rôle {_show(role)}, "
                            "attendu \"buyer\" ou \"supplier\"")
            continue
        avail = p.get("available")
        if avail is not None:
            if not isinstance(avail, list) or not all(_int(t) for t in avail):
                problems.append(f"participant {_show(pid)} : available doit être null ou une "
                                f"liste de créneaux entiers, reçu {_show(avail)}")
                avail = None
            else:
                bad = sorted({t for t in avail if not 0 <= t < slots})
                if bad:
                    shown = ", ".join(_show(t) for t in bad[:5])
                    problems.append(f"participant {_show(pid)} : créneaux disponibles hors de "
                                    f"0..{slots - 1} : {shown}")
                avail = tuple(sorted({t for t in avail if 0 <= t < slots}))
        cap = p.get("max_meetings")
        if cap is not None and (not _int(cap) or cap < 0):
            problems.append(f"participant {_show(pid)} : max_meetings doit être null ou un "
                            f"entier >= 0, reçu {_show(cap)}")
            cap = None
        participants.append(Participant(pid, role, avail, cap))
    role = {p.id: p.role for p in participants}

    wishes: list[Wish] = []
    raw_wishes = data.get("wishes")
    if raw_wishes is None:
        raw_wishes = []
    if not isinstance(raw_wishes, list):
        problems.append(f"wishes doit être une liste, reçu {_show(raw_wishes)}")
        raw_wishes = []
    if len(raw_wishes) > MAX_WISHES:
        problems.append(f"{len(raw_wishes)} souhaits, plus que le maximum {MAX_WISHES}")
        raw_wishes = []
    ordered: set[tuple[str, str]] = set()
    for i, w in enumerate(raw_wishes):
        if not isinstance(w, dict):
            problems.append(f"souhait n°{i} : doit être un objet, reçu {_show(w)}")
            continue
        a, b, prio = w.get("from"), w.get("to"), w.get("priority")
        where = f"souhait n°{i} ({_show(a)} -> {_show(b)})"
        wrong = [x for x in (a, b) if not isinstance(x, str)]
        if wrong:
            problems.append(f"{where} : from et to doivent être des id (textes), reçu "
                            + ", ".join(_show(x) for x in wrong))
            continue
        assert isinstance(a, str) and isinstance(b, str)
        unknown = [x for x in (a, b) if x not in role]
        if unknown:
            problems.append(f"{where} : participant inconnu "
                            + ", ".join(_show(x) for x in unknown))
            continue
        if role[a] == role[b]:
            kind = "acheteurs" if role[a] == "buyer" else "fournisseurs"
            problems.append(f"{where} : deux {kind} ({role[a]}s), un souhait relie un acheteur "
                            "et un fournisseur")
            continue
        if not _int(prio) or prio not in (1, 2, 3):
            problems.append(f"{where} : priority doit valoir 1, 2 ou 3, reçu {_show(prio)}")
            continue
        if (a, b) in ordered:
            problems.append(f"{where} : ce souhait apparaît deux fois")
            continue
        ordered.add((a, b))
        wishes.append(Wish(a, b, prio))

    fixed: list[Meeting] = []
    raw_fixed = data.get("fixed")
    if raw_fixed is None:
        raw_fixed = []
    if not isinstance(raw_fixed, list):
        problems.append(f"fixed doit être une liste, reçu {_show(raw_fixed)}")
        raw_fixed = []
    if len(raw_fixed) > MAX_WISHES:
        problems.append(f"{len(raw_fixed)} rendez-vous fixés, plus que le maximum {MAX_WISHES}")
        raw_fixed = []
    people = {p.id: p for p in participants}
    busy: dict[tuple[str, int], str] = {}
    pairs: set[tuple[str, str]] = set()
    seats: dict[tuple[int, int], str] = {}
    per_slot: Counter[int] = Counter()
    per_person: Counter[str] = Counter()
    for i, f in enumerate(raw_fixed):
        if not isinstance(f, dict):
            problems.append(f"rendez-vous fixé n°{i} : doit être un objet, reçu {_show(f)}")
            continue
        b, s, t, table = f.get("buyer"), f.get("supplier"), f.get("slot"), f.get("table")
        where = f"rendez-vous fixé {_show(b)}-{_show(s)} créneau {_show(t)}"
        bad = False
        for who, want, label in ((b, "buyer", "un acheteur"), (s, "supplier", "un fournisseur")):
            if not isinstance(who, str):
                problems.append(f"{where} : {want} doit être un id (texte), reçu {_show(who)}")
                bad = True
            elif who not in role:
                problems.append(f"{where} : participant inconnu {_show(who)}")
                bad = True
            elif role[who] != want:
                problems.append(f"{where} : {who} n'est pas {label} ({want})")
                bad = True
        if not _int(t) or not 0 <= t < slots:
            problems.append(f"{where} : slot doit être un entier de 0 à {slots - 1}")
            bad = True
        if table is not None and (not _int(table) or not 1 <= table <= tables):
            problems.append(f"{where} : table {_show(table)} hors de 1..{tables}")
            bad = True
        if bad:
            continue
        assert isinstance(b, str) and isinstance(s, str) and isinstance(t, int)
        if (b, s) in pairs:
            problems.append(f"{where} : ce couple est réservé deux fois")
            continue
        pairs.add((b, s))
        for who in (b, s):
            avail = people[who].available
            if avail is not None and t not in avail:
                problems.append(f"{where} : {who} n'est pas disponible au créneau {t}")
            if (who, t) in busy:
                problems.append(f"{where} : {who} rencontre déjà {busy[who, t]} au créneau {t}")
            else:
                busy[who, t] = s if who == b else b
            per_person[who] += 1
        if table is not None:
            if (t, table) in seats:
                problems.append(f"{where} : table {table} déjà prise par {seats[t, table]}")
            seats[t, table] = f"{b}-{s}"
        per_slot[t] += 1
        fixed.append(Meeting(b, s, t, table))
    for t, n in sorted(per_slot.items()):
        if n > tables:
            problems.append(f"créneau {t} : {n} rendez-vous fixés mais seulement {tables} tables")
    for who, n in sorted(per_person.items()):
        cap = people[who].max_meetings
        if cap is not None and n > cap:
            problems.append(f"{who} : {n} rendez-vous fixés, plus que max_meetings={cap}")
    if problems:
        raise InvalidInstance(problems)
    return Instance(slots, tables, tuple(participants), tuple(wishes), tuple(fixed))


def parse_schedule(data: Any) -> Schedule:
    """A schedule from its JSON structure (for `explain`), InvalidInstance if malformed."""
    if not isinstance(data, dict) or not isinstance(data.get("meetings"), list):
        raise InvalidInstance([f"le planning doit être un objet avec une liste meetings, "
                               f"reçu {_show(data)}"])
    problems: list[str] = []
    meetings: list[Meeting] = []
    for i, m in enumerate(data["meetings"]):
        if not isinstance(m, dict):
            problems.append(f"rendez-vous n°{i} : doit être un objet, reçu {_show(m)}")
            continue
        b, s, t, table = m.get("buyer"), m.get("supplier"), m.get("slot"), m.get("table")
        if not (isinstance(b, str) and isinstance(s, str) and _int(t)
                and (table is None or _int(table))):
            problems.append(f"rendez-vous n°{i} : buyer et supplier doivent être des id, slot "
                            f"et table des entiers, reçu {_show(b)}, {_show(s)}, {_show(t)}, "
                            f"{_show(table)}")
            continue
        meetings.append(Meeting(b, s, t, table))
    value = data.get("value", 0)
    if not _int(value):
        problems.append(f"value doit être un entier, reçu {_show(value)}")
    if problems:
        raise InvalidInstance(problems)
    return Schedule(meetings, value)


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
