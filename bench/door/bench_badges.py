"""Time and peak memory of the badges PDF for a 500-person event, end to end (the database
read, the QR codes, the PDF) and for the PDF alone; and the sign-in sheet.

Run by hand:  .venv/bin/python bench/door/bench_badges.py [--people 500] [--db sqlite|postgres]
Peak memory is the process's maximum resident set (ru_maxrss) measured in a fresh child per
case, so one case does not inherit another's heap; tracemalloc is not used (it slows
reportlab several times over and would distort the time).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CASE = r"""
import json, resource, sys, time
from datetime import timedelta
from network import create_app
from network.core.auth import System
from network.core.time import utcnow
from network.extensions import db

people, case = int(sys.argv[1]), sys.argv[2]
app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": sys.argv[3], "SITE_URL": "https://ess.example.org"})
with app.app_context():
    from network.directory import reference
    from network.events import participants
    from network.events.models import Event, EventKind, EventStatus, Registration
    from network.events.badges import new_code
    from network.events.territories import by_code
    db.create_all()
    event = db.session.scalar(db.select(Event))
    if event is None:
        reference.ensure_reference_data()
        start = utcnow() + timedelta(days=7)
        event = Event(kind=EventKind.EVENING, title="L'Innovation Sociale, tous concernés !",
                      start_at=start, end_at=start + timedelta(hours=3),
                      territory_id=by_code("metz").id, capacity=people,
                      venue_name="Hôtel du Département", status=EventStatus.PUBLISHED)
        db.session.add(event); db.session.flush()
        kinds = ["structure", "buyer", ""]
        for i in range(people):
            db.session.add(Registration(event_id=event.id, email=f"p{i}@example.org",
                name=f"Prénom{i} Nom-Composé{i}", organisation_name=f"Association n° {i % 60}",
                organisation_kind=kinds[i % 3], status="confirmed", ical_uid=f"u{i}@b",
                badge_code=new_code()))
        db.session.commit()
        print(json.dumps({"setup": True})); sys.exit(0)
    t = time.perf_counter()
    if case == "badges":
        pdf, n = participants.print_badges(event, participants.PrintChoice(),
                                           acting=System("bench"))
    elif case == "baseline":  # the app and the rows loaded, no PDF: what the others add to
        pdf, n = b"", len(participants.confirmed(event))
    else:
        staff = type("Staff", (), {"is_authenticated": True, "is_staff": True})()
        pdf = participants.signin_sheet(event, acting=staff)
        n = people
    elapsed = time.perf_counter() - t
    db.session.rollback()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"case": case, "n": n, "seconds": round(elapsed, 2), "bytes": len(pdf),
                      "peak_rss_mb": round(peak, 1)}))
"""


def run(args: list[str]) -> dict:
    out = subprocess.run([sys.executable, "-c", CASE, *args], cwd=ROOT, capture_output=True,
                         text=True, timeout=300, env={**os.environ, "NETWORK_ENV": "testing"})
    if out.returncode != 0:
        raise SystemExit(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--db", default="sqlite")
    parser.add_argument("--runs", type=int, default=3)
    ns = parser.parse_args()
    if ns.db == "sqlite":
        path = Path(tempfile.mkdtemp()) / "bench.db"
        url = f"sqlite:///{path}"
    else:
        name = f"door_bench_{os.getpid()}"
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
        url = f"postgresql+psycopg://postgres@127.0.0.1/{name}"
    try:
        run([str(ns.people), "setup", url])
        for case in ("baseline", "badges", "sheet"):
            results = [run([str(ns.people), case, url]) for _ in range(ns.runs)]
            seconds = sorted(r["seconds"] for r in results)
            print(f"{case}: {ns.people} people, {ns.db}: median {seconds[len(seconds) // 2]} s "
                  f"(runs {seconds}), peak RSS {max(r['peak_rss_mb'] for r in results)} MB, "
                  f"{results[0]['bytes'] // 1024} KB")
    finally:
        if ns.db != "sqlite":
            subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", name], check=False)


if __name__ == "__main__":
    main()
