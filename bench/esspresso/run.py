"""ESSpresso benchmark, run by hand: ``.venv/bin/python bench/esspresso/run.py [--quick]``.

For each generated instance (network.esspresso.gen): our scheduler (in a child process, for
honest time and peak memory), first-come-first-served booking, and HiGHS MILP on the
time-indexed model; every schedule is verified by the project's validator
(network.esspresso.instance.check_schedule) and compared with the LP upper bound.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from network.esspresso.exact import solve_exact  # noqa: E402
from network.esspresso.gen import FAMILIES, generate  # noqa: E402
from network.esspresso.instance import (  # noqa: E402
    Instance,
    Meeting,
    Schedule,
    check_schedule,
    parse_instance,
)


def verified(inst: Instance, raw: dict[str, Any]) -> int:
    """Value of a schedule given as JSON, after the validator found nothing wrong."""
    schedule = Schedule([Meeting(**m) for m in raw["meetings"]], raw.get("value", 0))
    errors, value = check_schedule(inst, schedule)
    assert not errors, errors[:5]
    return value


def fcfs(data: dict[str, Any], seed: int) -> dict[str, Any]:
    """Wishes booked in arrival order, each in the earliest slot both sides and a table allow."""
    people = {p["id"]: p for p in data["participants"]}
    slots, tables = data["slots"], data["tables"]
    avail = {k: set(range(slots)) if p["available"] is None else set(p["available"])
             for k, p in people.items()}
    cap = {k: slots if p["max_meetings"] is None else p["max_meetings"] for k, p in people.items()}
    busy: dict[str, set[int]] = {k: set() for k in people}
    seats: dict[int, set[int]] = {t: set() for t in range(slots)}
    meetings, pairs = [], set()

    def book(b: str, s: str, t: int, table: int | None = None) -> None:
        table = table or min(k for k in range(1, tables + 1) if k not in seats[t])
        seats[t].add(table)
        busy[b].add(t)
        busy[s].add(t)
        pairs.add((b, s))
        meetings.append({"buyer": b, "supplier": s, "slot": t, "table": table})

    fixed = data.get("fixed") or []
    for f in fixed:
        if "table" in f:
            seats[f["slot"]].add(f["table"])
    for f in fixed:
        if "table" in f:
            seats[f["slot"]].discard(f["table"])
        book(f["buyer"], f["supplier"], f["slot"], f.get("table"))
    wishes = list(data["wishes"])
    random.Random(seed).shuffle(wishes)
    for w in wishes:
        a, c = w["from"], w["to"]
        b, s = (a, c) if people[a]["role"] == "buyer" else (c, a)
        if (b, s) in pairs or len(busy[b]) >= cap[b] or len(busy[s]) >= cap[s]:
            continue
        free = sorted((avail[b] & avail[s]) - busy[b] - busy[s])
        for t in free:
            if len(seats[t]) < tables:
                book(b, s, t)
                break
    return {"meetings": meetings}


CHILD = """
import sys, time
import network.esspresso.__main__ as cli
solve = cli.solve
def timed(*args, **kwargs):  # CPU seconds of the solve alone: the machine may be shared
    start = time.process_time()
    try:
        return solve(*args, **kwargs)
    finally:
        print(f"cpu={time.process_time() - start:.3f}", file=sys.stderr)
cli.solve = timed
code = cli.main(["solve", sys.argv[1]])
with open("/proc/self/status") as f:  # VmHWM is per address space, so not the parent's
    hwm = next(line.split()[1] for line in f if line.startswith("VmHWM"))
print(f"peak_kib={hwm}", file=sys.stderr)
sys.exit(code)
"""


def ours(path: str) -> tuple[dict[str, Any], float, float, float, str]:
    """Solve in a child process: schedule, solve seconds, CPU seconds, peak MiB, summary."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen([sys.executable, "-c", CHILD, path],
                                cwd=ROOT, stdout=out, stderr=err)
        proc.wait()
        out.seek(0)
        err.seek(0)
        text, summary = out.read(), err.read().strip()
    if proc.returncode != 0:
        raise SystemExit(f"scheduler failed on {path}: {summary}")
    cpu, line, peak = summary.splitlines()[-3:]
    solve_s = float(line.rsplit("seconds=", 1)[1])
    cpu_s = float(cpu.split("=")[1])
    return json.loads(text), solve_s, cpu_s, int(peak.split("=")[1]) / 1024, line


def lp_bound(inst: Instance, key: str, cache: Path | None, weak: bool = False) -> float:
    """LP relaxation of the time-indexed model, cached (it takes minutes at 400×800).

    weak: the selection bound instead (slots ignored, seconds to compute): still an upper
    bound, equal to the LP without limits, above it with limits.
    """
    if weak:
        from network.esspresso.scheduler import _Engine

        engine = _Engine(inst, 0, float("inf"))
        return float(engine.fixed_value + sum(engine.w[e] for e in engine.select()))
    store = json.loads(cache.read_text()) if cache and cache.is_file() else {}
    if key not in store:
        store[key] = solve_exact(inst, relax=True).value
        if cache:
            cache.write_text(json.dumps(store, indent=0, sort_keys=True))
    return float(store[key])


Case = tuple[str, int, int, int, int, int]  # family, buyers, suppliers, slots, tables, seed


def run(cases: list[Case], milp_limit: float, cache: Path | None, weak: bool) -> list[str]:
    header = ("| family | buyers×suppliers×slots | tables | seed | LP bound | ours value | "
              "ours/LP | ours s | ours CPU s | idle gaps | peak MiB | FCFS value | FCFS/LP | "
              "MILP value | MILP/LP | MILP s | MILP status |")
    lines = [header, "|" + "---|" * (header.count("|") - 1)]
    print(header, flush=True)
    for family, nb, ns, slots, tables, seed in cases:
        data = generate(family, nb, ns, slots, tables, seed)
        inst = parse_instance(data)
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(data, f)
            path = f.name
        sched, secs, cpu, peak, summary = ours(path)
        os.unlink(path)
        gaps = summary.split("idle_gaps=", 1)[1].split()[0]
        value = verified(inst, sched)
        fc_value = verified(inst, fcfs(data, seed))
        bound = lp_bound(inst, f"{family}-{nb}-{ns}-{slots}-{tables}-{seed}", cache, weak)
        ex_cells = "– | – | – | skipped"
        if milp_limit > 0:
            ex = solve_exact(inst, time_limit=milp_limit)
            ex_value = 0 if ex.schedule is None else verified(inst, ex.schedule.to_dict())
            status = "optimal" if "Optimal" in ex.status else f"limit {milp_limit:.0f}s"
            ex_cells = f"{ex_value} | {ex_value / bound:.4f} | {ex.seconds:.1f} | {status}"
        row = (f"| {family} | {nb}×{ns}×{slots} | {tables} | {seed} | {bound:.1f} | {value} | "
               f"{value / bound:.4f} | {secs:.2f} | {cpu:.2f} | {gaps} | {peak:.0f} | {fc_value} | "
               f"{fc_value / bound:.4f} | {ex_cells} |")
        print(row, flush=True)
        lines.append(row)
    return lines


SIZES = [(40, 80, 12, 30), (150, 300, 16, 140), (150, 300, 16, 80), (400, 800, 16, 380),
         (400, 800, 16, 200)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="no 400×800 instances")
    parser.add_argument("--milp-limit", type=float, default=60.0, help="0 skips the MILP")
    parser.add_argument("--family", action="append", choices=FAMILIES, help="repeatable")
    parser.add_argument("--size", action="append", metavar="BxSxTxTABLES",
                        help="e.g. 150x300x16x80, repeatable; default: a fixed list")
    parser.add_argument("--seeds", type=int, default=1, help="seeds 1..N per case")
    parser.add_argument("--out", default=None, help="write a Markdown table here")
    parser.add_argument("--lp-cache", type=Path, default=None,
                        help="JSON file keeping LP bounds between runs")
    parser.add_argument("--weak-bound", action="store_true",
                        help="selection bound instead of the LP (for 400×800: fast)")
    args = parser.parse_args()
    sizes = ([tuple(int(x) for x in s.split("x")) for s in args.size] if args.size
             else [s for s in SIZES if not (args.quick and s[0] >= 400)])
    cases = [(fam, nb, ns, sl, tb, seed) for nb, ns, sl, tb in sizes
             for fam in args.family or FAMILIES for seed in range(1, args.seeds + 1)]
    lines = run(cases, args.milp_limit, args.lp_cache, args.weak_bound)
    if args.out:
        head = (f"Run {date.today()} on {platform.node() or 'host'}: {os.cpu_count()} cores, "
                f"Python {platform.python_version()}, network.esspresso.gen, "
                f"MILP time limit {args.milp_limit:.0f} s.\n\n")
        Path(args.out).write_text(head + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
