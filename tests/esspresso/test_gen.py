"""The project's own instance generator: valid, deterministic, and each family as described."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from network.esspresso.gen import FAMILIES, generate
from network.esspresso.instance import parse_instance

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("size", [(1, 1, 1, 1), (3, 4, 2, 1), (40, 80, 12, 30)])
def test_valid_and_seeded(family: str, size: tuple[int, int, int, int]) -> None:
    data = generate(family, *size, seed=5)
    inst = parse_instance(data)  # raises if anything is invalid
    assert len(inst.participants) == size[0] + size[1]
    assert data == generate(family, *size, seed=5)
    if size[0] > 3:
        assert data != generate(family, *size, seed=6)


def test_families_differ_as_described() -> None:
    insts = {f: parse_instance(generate(f, 60, 120, 12, 40, seed=1)) for f in FAMILIES}
    for family, inst in insts.items():
        limited = [p for p in inst.participants if p.available is not None]
        assert bool(limited) == (family in ("partial", "booked")), family
        assert bool(inst.fixed) == (family == "booked"), family
        assert inst.wishes
    booked = insts["booked"].fixed
    assert any(m.table is None for m in booked) and any(m.table is not None for m in booked)

    def top_share(family: str) -> float:
        """Share of buyer wishes that go to the 10 most wanted suppliers."""
        got: dict[str, int] = {}
        for w in insts[family].wishes:
            if w.source.startswith("B"):
                got[w.target] = got.get(w.target, 0) + 1
        return sum(sorted(got.values())[-10:]) / sum(got.values())

    assert top_share("zipf") > 2 * top_share("uniform")


def test_independent_of_hash_seed() -> None:
    code = ("import json, sys; from network.esspresso.gen import generate; "
            "json.dump([generate(f, 20, 30, 8, 6, 4) for f in "
            "('uniform', 'zipf', 'partial', 'booked')], sys.stdout)")
    outs = set()
    for hash_seed in ("1", "2"):
        done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                              text=True, check=True, timeout=60,
                              env={**os.environ, "PYTHONHASHSEED": hash_seed})
        outs.add(done.stdout)
    assert len(outs) == 1
    assert json.loads(outs.pop())[3]["fixed"]


def test_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="unknown family"):
        generate("weird", 2, 2, 2, 2)
    with pytest.raises(ValueError, match=">= 1"):
        generate("uniform", 0, 2, 2, 2)
