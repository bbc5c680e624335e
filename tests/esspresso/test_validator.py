"""The project's validator catches a break of each rule of the format and prices schedules."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from network.esspresso.gen import generate
from network.esspresso.instance import (
    Instance,
    Meeting,
    Schedule,
    check_schedule,
    parse_instance,
    schedule_problems,
)
from network.esspresso.scheduler import solve


@pytest.fixture(scope="module")
def solved() -> tuple[Instance, Schedule]:
    inst = parse_instance(generate("booked", 12, 20, 6, 5, seed=2))
    assert inst.fixed and any(m.table is not None for m in inst.fixed)
    return inst, solve(inst)


def _value_by_hand(inst: Instance, meetings: list[Meeting]) -> int:
    """The value rule read literally: priorities of the wishes between each met pair."""
    met = {frozenset((m.buyer, m.supplier)) for m in meetings}
    return sum(w.priority for w in inst.wishes if frozenset((w.source, w.target)) in met)


def test_valid_schedule_priced(solved: tuple[Instance, Schedule]) -> None:
    inst, schedule = solved
    problems, value = check_schedule(inst, schedule)
    assert problems == []
    assert value == schedule.value == _value_by_hand(inst, schedule.meetings) > 0
    wrong = Schedule(schedule.meetings, schedule.value + 1)
    assert schedule_problems(inst, wrong) == [
        f"value {schedule.value + 1} claimed, meetings worth {schedule.value}"
    ]


def _free(inst: Instance, meetings: list[Meeting]) -> Meeting:
    """A meeting that is not booked, so editing it breaks only the rule under test."""
    fixed = {(f.buyer, f.supplier) for f in inst.fixed}
    return next(m for m in meetings if (m.buyer, m.supplier) not in fixed)


def _unwished(inst: Instance, ms: list[Meeting]) -> list[Meeting]:
    values = inst.pair_values()
    m = _free(inst, ms)
    other = next(p.id for p in inst.participants
                 if p.role == "supplier" and (m.buyer, p.id) not in values)
    return [dataclasses.replace(x, supplier=other) if x is m else x for x in ms]


def _twice(inst: Instance, ms: list[Meeting]) -> list[Meeting]:
    m = _free(inst, ms)
    return [*ms, dataclasses.replace(m, slot=(m.slot + 1) % inst.slots)]


def _same_slot(inst: Instance, ms: list[Meeting]) -> list[Meeting]:
    fixed = {(f.buyer, f.supplier) for f in inst.fixed}
    m, other = next((m, x) for m in ms for x in ms
                    if x.buyer == m.buyer and x is not m and (m.buyer, m.supplier) not in fixed)
    return [dataclasses.replace(x, slot=other.slot, table=inst.tables + 5) if x is m else x
            for x in ms]


def _unavailable(inst: Instance, ms: list[Meeting]) -> list[Meeting]:
    people = inst.by_id()
    for m in ms:
        avail = people[m.buyer].available
        if avail is not None and len(avail) < inst.slots:
            out = next(t for t in range(inst.slots) if t not in avail)
            return [dataclasses.replace(x, slot=out) if x is m else x for x in ms]
    raise AssertionError("the generated instance has no limited availability")


def _table_twice(inst: Instance, ms: list[Meeting]) -> list[Meeting]:
    a = ms[0]
    b = next(x for x in ms if x.slot == a.slot and x is not a)
    return [dataclasses.replace(x, table=a.table) if x is b else x for x in ms]


def _table_range(inst: Instance, ms: list[Meeting]) -> list[Meeting]:
    m = _free(inst, ms)
    return [dataclasses.replace(x, table=inst.tables + 1) if x is m else x for x in ms]


def _slot_range(inst: Instance, ms: list[Meeting]) -> list[Meeting]:
    m = _free(inst, ms)
    return [dataclasses.replace(x, slot=inst.slots) if x is m else x for x in ms]


def _fixed_moved(inst: Instance, ms: list[Meeting]) -> list[Meeting]:
    f = inst.fixed[0]
    return [m for m in ms if (m.buyer, m.supplier) != (f.buyer, f.supplier)]


def _fixed_table(inst: Instance, ms: list[Meeting]) -> list[Meeting]:
    f = next(f for f in inst.fixed if f.table is not None)
    assert f.table is not None and inst.tables > 1
    return [dataclasses.replace(m, table=f.table % inst.tables + 1)
            if (m.buyer, m.supplier) == (f.buyer, f.supplier) else m for m in ms]


def _not_buyer(inst: Instance, ms: list[Meeting]) -> list[Meeting]:
    m = _free(inst, ms)
    return [dataclasses.replace(x, buyer=m.supplier) if x is m else x for x in ms]


MUTATIONS: dict[str, tuple[Callable[[Instance, list[Meeting]], list[Meeting]], str]] = {
    "1 unwished pair": (_unwished, "nobody asked for it"),
    "1 role": (_not_buyer, "is not a buyer"),
    "2 pair twice": (_twice, "pair meets twice"),
    "3 same slot": (_same_slot, "has two meetings in slot"),
    "3 availability": (_unavailable, "not available in slot"),
    "3 slot range": (_slot_range, "slot out of range"),
    "5 table twice": (_table_twice, "table taken twice"),
    "5 table range": (_table_range, "table out of range"),
    "6 fixed missing": (_fixed_moved, "missing or moved"),
    "6 fixed table": (_fixed_table, "missing or moved"),
}


@pytest.mark.parametrize("rule", sorted(MUTATIONS))
def test_each_rule_is_checked(rule: str, solved: tuple[Instance, Schedule]) -> None:
    inst, schedule = solved
    mutate, message = MUTATIONS[rule]
    broken = mutate(inst, list(schedule.meetings))
    problems, _ = check_schedule(inst, Schedule(broken, 0))
    assert any(message in p for p in problems), problems


def test_cap_is_checked(solved: tuple[Instance, Schedule]) -> None:
    inst, schedule = solved
    who = schedule.meetings[0].buyer
    n = sum(who == m.buyer for m in schedule.meetings)
    people = tuple(dataclasses.replace(p, max_meetings=n - 1) if p.id == who else p
                   for p in inst.participants)
    tight = dataclasses.replace(inst, participants=people)
    problems, _ = check_schedule(tight, schedule)
    assert f"{who}: {n} meetings > max_meetings={n - 1}" in problems


def test_garbage_meeting_fields_do_not_crash(solved: tuple[Instance, Schedule]) -> None:
    inst, _ = solved
    junk = [Meeting(["B1"], "S1", 0, 1), Meeting("B1", {"x": 1}, 0, 1),  # type: ignore[arg-type]
            Meeting("B1", "S1", "0", 1), Meeting("B1", "S1", 0, True)]  # type: ignore[arg-type]
    problems, _ = check_schedule(inst, Schedule(junk, 0))
    assert "is not a buyer" in problems[0] and "is not a supplier" in problems[1]
    assert any("slot out of range" in p for p in problems)
    assert any("table out of range" in p for p in problems)
