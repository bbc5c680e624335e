"""Command line: ``python -m network.esspresso solve INSTANCE.json [--time-limit S]``.

The schedule JSON goes to stdout, a one-line summary to stderr; invalid input (unreadable
file, malformed or deeply nested JSON, wrong types, absurd sizes: see the MAX_* limits in
instance.py) exits 2 with one French line per problem, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict

from .explain import explain
from .instance import (
    InvalidInstance,
    check_schedule,
    parse_instance,
    parse_schedule,
    schedule_problems,
)
from .scheduler import solve, summarize


def _load(path: str) -> object:
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except RecursionError as exc:
        raise InvalidInstance([f"{path} : JSON imbriqué trop profondément"]) from exc
    except (OSError, ValueError, MemoryError) as exc:  # UnicodeDecodeError is a ValueError
        raise InvalidInstance([f"impossible de lire {path} : {exc}"]) from exc


def _refuse(path: str, exc: InvalidInstance) -> int:
    print(f"fichier invalide {path} :", file=sys.stderr)
    for problem in exc.problems:
        print(f"  - {problem}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m network.esspresso")
    sub = parser.add_subparsers(dest="command", required=True)
    p_solve = sub.add_parser("solve", help="schedule an ESSpresso session")
    p_solve.add_argument("instance")
    p_solve.add_argument("--time-limit", type=float, default=None, metavar="S")
    p_solve.add_argument("--seed", type=int, default=0)
    p_explain = sub.add_parser("explain", help="why each wish was met or not")
    p_explain.add_argument("instance")
    p_explain.add_argument("schedule")
    args = parser.parse_args(argv)
    try:
        instance = parse_instance(_load(args.instance))
    except InvalidInstance as exc:
        return _refuse(args.instance, exc)
    if args.command == "explain":
        try:
            schedule = parse_schedule(_load(args.schedule))
            broken = check_schedule(instance, schedule)[0]
            if broken:  # explain() trusts its schedule: refuse one that breaks the rules
                raise InvalidInstance(broken[:50])
        except InvalidInstance as exc:
            return _refuse(args.schedule, exc)
        report = {pid: asdict(r) for pid, r in explain(instance, schedule).items()}
        json.dump(report, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    start = time.perf_counter()
    schedule = solve(instance, time_limit=args.time_limit, seed=args.seed)
    seconds = time.perf_counter() - start
    problems = schedule_problems(instance, schedule)
    if problems:  # never print a schedule that breaks the rules
        print("erreur interne, planning rejeté :", file=sys.stderr)
        for problem in problems[:20]:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    json.dump(schedule.to_dict(), sys.stdout)
    print()
    print(summarize(instance, schedule, seconds).line(), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
