"""Extra cross-check against the reference check.py, when the shared folder sits beside us.

The shared reference files are not part of the repository: in a fresh clone these tests are
skipped, and the same schedules are still judged by the project's own validator elsewhere.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from network.esspresso.gen import FAMILIES, generate
from network.esspresso.instance import Meeting, Schedule, check_schedule, parse_instance
from network.esspresso.scheduler import solve

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "esspresso"
pytestmark = pytest.mark.skipif(
    not (SHARED / "check.py").is_file(),
    reason="reference shared/esspresso/check.py absent (not part of the repository)",
)


def _check_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("esspresso_shared_check", SHARED / "check.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("family", FAMILIES)
def test_reference_agrees_on_generated(family: str) -> None:
    check = _check_module()
    data = generate(family, 30, 60, 10, 20, seed=11)
    inst = parse_instance(data)
    schedule = solve(inst)
    ours = check_schedule(inst, schedule)
    assert ours == ([], schedule.value)
    assert check.check(data, schedule.to_dict()) == ours
    twice = schedule.to_dict()
    twice["meetings"] = twice["meetings"] + twice["meetings"][:1]
    again = Schedule([Meeting(**m) for m in twice["meetings"]], schedule.value)
    assert check.check(data, twice)[0] and check_schedule(inst, again)[0]


@pytest.mark.parametrize("path", sorted((SHARED / "examples").glob("*.json")),
                         ids=lambda p: p.stem)
def test_reference_examples(path: Path) -> None:
    check = _check_module()
    data = json.loads(path.read_text())
    inst = parse_instance(data)
    schedule = solve(inst, time_limit=30)
    assert check.check(data, schedule.to_dict()) == check_schedule(inst, schedule)
    assert check_schedule(inst, schedule) == ([], schedule.value)
