"""The command line never tracebacks: every malformed input exits 2 with a French message."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from network.esspresso.__main__ import main
from network.esspresso.instance import (
    MAX_PARTICIPANTS,
    MAX_SLOTS,
    MAX_TABLES,
    InvalidInstance,
    parse_instance,
    parse_schedule,
)

ROOT = Path(__file__).resolve().parents[2]


def _base() -> dict[str, Any]:
    return {
        "slots": 3, "tables": 2,
        "participants": [{"id": "B1", "role": "buyer", "available": None, "max_meetings": None},
                         {"id": "S1", "role": "supplier", "available": [0, 1],
                          "max_meetings": 2}],
        "wishes": [{"from": "B1", "to": "S1", "priority": 2}],
        "fixed": [{"buyer": "B1", "supplier": "S1", "slot": 0, "table": 1}],
    }


def _with(path: str, value: Any) -> dict[str, Any]:
    """The base instance with one field replaced, path like 'wishes.0.from'."""
    data = _base()
    *head, last = path.split(".")
    node: Any = data
    for key in head:
        node = node[int(key)] if isinstance(node, list) else node[key]
    node[int(last) if isinstance(node, list) else last] = value
    return data


CASES: list[tuple[str, Any, str]] = [
    ("slots", 10**12, "slots doit être un entier entre 1 et 200"),
    ("slots", True, "slots doit être un entier"),
    ("slots", 2.5, "reçu 2.5"),
    ("slots", float("nan"), "reçu nan"),
    ("slots", "12", "reçu '12'"),
    ("tables", 10**9, f"tables doit être un entier entre 1 et {MAX_TABLES}"),
    ("tables", 0, "tables doit être un entier"),
    ("participants", {"B1": 1}, "participants doit être une liste"),
    ("participants.0.id", ["B1"], "id doit être un texte non vide"),
    ("participants.0.id", "", "id doit être un texte non vide"),
    ("participants.1.id", "B1", "cet id apparaît deux fois"),
    ("participants.0.role", "seller", "rôle 'seller'"),
    ("participants.0.available", [0, True], "available doit être null ou une liste"),
    ("participants.0.available", [0, 10**30], "hors de 0..2"),
    ("participants.0.available", "all", "available doit être null ou une liste"),
    ("participants.0.max_meetings", False, "max_meetings doit être null ou un entier"),
    ("participants.0.max_meetings", float("inf"), "max_meetings doit être null ou un entier"),
    ("wishes", "B1->S1", "wishes doit être une liste"),
    ("wishes.0", [1, 2], "souhait n°0 : doit être un objet"),
    ("wishes.0.from", ["B1"], "from et to doivent être des id"),
    ("wishes.0.to", {"id": "S1"}, "from et to doivent être des id"),
    ("wishes.0.from", 7, "from et to doivent être des id"),
    ("wishes.0.priority", 2.0, "priority doit valoir 1, 2 ou 3"),
    ("wishes.0.priority", True, "priority doit valoir 1, 2 ou 3"),
    ("fixed", {"a": 1}, "fixed doit être une liste"),
    ("fixed.0", "B1-S1", "doit être un objet"),
    ("fixed.0.buyer", ["B1"], "buyer doit être un id"),
    ("fixed.0.supplier", {"x": [1]}, "supplier doit être un id"),
    ("fixed.0.slot", 1.0, "slot doit être un entier de 0 à 2"),
    ("fixed.0.slot", None, "slot doit être un entier de 0 à 2"),
    ("fixed.0.table", "1", "table '1' hors de 1..2"),
    ("fixed.0.table", 10**40, "table un entier démesuré hors de 1..2"),
]


@pytest.mark.parametrize(("path", "value", "message"), CASES,
                         ids=[f"{p}={v!r}"[:40] for p, v, _ in CASES])
def test_bad_field_exits_2(path: str, value: Any, message: str, tmp_path: Path,
                           capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "instance.json"
    file.write_text(json.dumps(_with(path, value)))
    assert main(["solve", str(file)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"fichier invalide {file} :")
    assert message in err


def test_duplicate_wish_and_two_buyers(capsys: pytest.CaptureFixture[str],
                                       tmp_path: Path) -> None:
    data = _base()
    data["wishes"] += [dict(data["wishes"][0]), {"from": "S1", "to": "S1", "priority": 1}]
    file = tmp_path / "instance.json"
    file.write_text(json.dumps(data))
    assert main(["solve", str(file)]) == 2
    err = capsys.readouterr().err
    assert "ce souhait apparaît deux fois" in err and "deux fournisseurs" in err


def test_too_many_participants() -> None:
    people = [{"id": f"P{i}", "role": "buyer"} for i in range(MAX_PARTICIPANTS + 1)]
    with pytest.raises(InvalidInstance, match=f"plus que le maximum {MAX_PARTICIPANTS}"):
        parse_instance({"slots": 2, "tables": 1, "participants": people})


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, '{"slots": ', "\xff\xfe",
                                  "NaN", "[1, 2]", "null"])
def test_unreadable_or_not_an_object(text: str, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "instance.json"
    file.write_bytes(text.encode("latin-1"))
    assert main(["solve", str(file)]) == 2
    err = capsys.readouterr().err
    assert f"fichier invalide {file} :" in err
    assert any(word in err for word in ("imbriqué", "impossible de lire", "objet JSON"))


def test_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["solve", str(tmp_path / "absent.json")]) == 2
    assert "impossible de lire" in capsys.readouterr().err


@pytest.mark.parametrize("schedule", [
    [], {"meetings": "none"}, {"meetings": [{"buyer": ["B1"], "supplier": "S1", "slot": 0}]},
    {"meetings": [{"buyer": "B1", "supplier": "S1", "slot": "0"}]},
    {"meetings": [{"buyer": "B9", "supplier": "S1", "slot": 0, "table": 1}], "value": 0},
    {"meetings": [], "value": float("nan")},
])
def test_explain_bad_schedule(schedule: Any, tmp_path: Path,
                              capsys: pytest.CaptureFixture[str]) -> None:
    inst, sched = tmp_path / "instance.json", tmp_path / "schedule.json"
    inst.write_text(json.dumps(_base()))
    sched.write_text(json.dumps(schedule))
    assert main(["explain", str(inst), str(sched)]) == 2
    err = capsys.readouterr().err
    assert f"fichier invalide {sched} :" in err and "  - " in err


def test_explain_good_schedule(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inst, sched = tmp_path / "instance.json", tmp_path / "schedule.json"
    inst.write_text(json.dumps(_base()))
    sched.write_text(json.dumps({"meetings": [{"buyer": "B1", "supplier": "S1", "slot": 0,
                                               "table": 1}], "value": 2}))
    assert main(["explain", str(inst), str(sched)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["B1"]["wishes"][0]["met"] is True


def test_deep_nesting_in_a_subprocess(tmp_path: Path) -> None:
    """The real interpreter, real recursion limit: still a message, not a traceback."""
    file = tmp_path / "deep.json"
    file.write_text('{"slots": 2, "tables": 1, "participants": ' + "[" * 50_000 + "]" * 50_000
                    + "}")
    done = subprocess.run([sys.executable, "-m", "network.esspresso", "solve", str(file)],
                          cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "imbriqué" in done.stderr


def test_limits_are_sane() -> None:
    assert MAX_SLOTS == 200 and MAX_TABLES == 1000 and MAX_PARTICIPANTS == 5000
    ok = parse_instance({"slots": MAX_SLOTS, "tables": MAX_TABLES, "participants": []})
    assert (ok.slots, ok.tables) == (MAX_SLOTS, MAX_TABLES)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner,
                                                                max_size=4),
    max_leaves=30,
)
KEYS = st.sampled_from(["slots", "tables", "participants", "wishes", "fixed", "id", "role",
                        "available", "max_meetings", "from", "to", "priority", "buyer",
                        "supplier", "slot", "table", "meetings", "value"])


def _shaped(leaf: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """JSON whose keys are mostly the format's own, so the fuzz reaches the deep checks."""
    return st.recursive(leaf, lambda inner: st.lists(inner, max_size=4)
                        | st.dictionaries(KEYS, inner, max_size=6), max_leaves=40)


FUZZ = settings(max_examples=200, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(JSON | _shaped(st.none() | st.booleans() | st.integers(-3, 5) | st.floats()
                      | st.sampled_from(["B1", "S1", "buyer", "supplier", ""])))
def test_fuzz_parse_only_raises_invalid_instance(data: Any) -> None:
    for parse in (parse_instance, parse_schedule):
        try:
            parse(data)
        except InvalidInstance as exc:
            assert exc.problems and all(isinstance(p, str) and p for p in exc.problems)


@FUZZ
@given(st.fixed_dictionaries({
    "slots": st.integers(1, 4), "tables": st.integers(1, 3),
    "participants": st.lists(st.fixed_dictionaries({
        "id": st.sampled_from(["B1", "B2", "S1", "S2"]) | JSON,
        "role": st.sampled_from(["buyer", "supplier"]),
        "available": st.none() | st.lists(st.integers(-1, 4)) | JSON,
        "max_meetings": st.none() | st.integers(-1, 3) | JSON}), max_size=5),
    "wishes": st.lists(st.fixed_dictionaries({
        "from": st.sampled_from(["B1", "S1", "S2"]) | JSON,
        "to": st.sampled_from(["B2", "S1"]) | JSON,
        "priority": st.integers(0, 3) | JSON}), max_size=5),
    "fixed": st.lists(st.fixed_dictionaries({
        "buyer": st.sampled_from(["B1", "B2"]) | JSON, "supplier": st.just("S1") | JSON,
        "slot": st.integers(-1, 4) | JSON, "table": st.none() | st.integers(0, 3)}),
        max_size=3)}))
def test_fuzz_near_valid_instances(data: dict[str, Any]) -> None:
    try:
        inst = parse_instance(data)
    except InvalidInstance as exc:
        assert exc.problems
    else:
        assert len(inst.participants) <= len(data["participants"])
