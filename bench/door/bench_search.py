"""The door's name search (`checkin.search`): accents and case folded in Python over the
event's confirmed list. Times a few typical queries on an event of N people.

Run by hand:  .venv/bin/python bench/door/bench_search.py [--people 2000] [--db URL]
(default: a fresh SQLite file in a temporary folder). Prints the median and p95 of each
query in milliseconds, and how many people it found.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

FIRST = ["Dominique", "Hélène", "Noé", "Zoé", "Jérôme", "Anaïs", "François", "Léa", "Mathis",
         "Inès", "Chloé", "Loïc", "Maëlle", "Gaëtan", "Camille", "Théo"]
LAST = ["Lefèvre", "Müller", "Schmitt", "Bérénger", "Lœuvre", "Weiß", "Gérard", "Hoël",
        "Keller", "Rémy", "Wagner", "Boucher", "Dupré", "Lambert", "Krebs", "Noël"]
ORGS = ["Régie de quartier Borny", "Cœur de Moselle", "Les Jardins de Cocagne",
        "Association d'Entraide", "SCIC Énergie Partagée", "Mutuelle Lorraine"]
QUERIES = ["lefevre", "HELENE", "coeur moselle", "jer", "weiss", "zzz-personne", "e"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--db", default="")
    args = parser.parse_args()
    url = args.db or f"sqlite:///{tempfile.mkdtemp()}/search.db"

    from network import create_app
    from network.core.time import utcnow
    from network.directory import reference
    from network.events import badges, checkin
    from network.events.models import Event, EventKind, EventStatus, Registration
    from network.events.territories import by_code
    from network.extensions import db

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.create_all()
        reference.ensure_reference_data()
        start = utcnow() + timedelta(days=7)
        event = Event(kind=EventKind.EVENING, title="Bench", start_at=start,
                      end_at=start + timedelta(hours=3), territory_id=by_code("metz").id,
                      venue_name="Hôtel du Département", status=EventStatus.PUBLISHED,
                      capacity=args.people)
        db.session.add(event)
        db.session.flush()
        rng = random.Random(2)
        for i in range(args.people):
            db.session.add(Registration(
                event_id=event.id, email=f"p{i}@example.org",
                name=f"{rng.choice(FIRST)} {rng.choice(LAST)}-{i}",
                organisation_name=rng.choice(ORGS), status="confirmed",
                ical_uid=f"u{i}@bench", badge_code=badges.new_code()))
        db.session.commit()
        staff = type("Staff", (), {"is_authenticated": True, "is_staff": True, "id": None})()
        print(f"{args.people} confirmed people, {db.engine.dialect.name}, {args.runs} runs")
        for query in QUERIES:
            times, found = [], 0
            for _ in range(args.runs):
                t = time.perf_counter()
                found = len(checkin.search(event, query, acting=staff))
                times.append((time.perf_counter() - t) * 1000)
                db.session.rollback()
            times.sort()
            p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
            print(f"  {query!r:16} found {found:3d}  median {statistics.median(times):6.1f} ms"
                  f"  p95 {p95:6.1f} ms")


if __name__ == "__main__":
    main()
