"""What writing each mail in its registrant's language costs: the day-before reminder job
(`flask events remind`, one mail and its two templates per person) for N registrants all in
French, then the same N spread over French, English and German.

Run by hand:  .venv/bin/python bench/events/bench_mail_languages.py --db sqlite
              .venv/bin/python bench/events/bench_mail_languages.py --db postgres
In-process, one unit of work per run as the CLI does; bounded by --people (default 300).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def _database(kind: str) -> tuple[str, callable]:
    if kind == "sqlite":
        path = Path(tempfile.mkdtemp()) / "bench.db"
        return f"sqlite:///{path}", lambda: None
    name = f"bench_langs_{uuid.uuid4().hex[:8]}"
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc",
                    f'CREATE DATABASE "{name}"'], check=True)
    drop = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc",
            f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)']
    return (f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}",
            lambda: subprocess.run(drop, check=False))


def run(people: int, languages: tuple[str, ...]) -> float:
    from network.accounts.models import User
    from network.core.auth import System
    from network.core.time import utcnow
    from network.core.uow import unit_of_work
    from network.directory.models import Territory
    from network.events import notices, staff
    from network.events.models import EventKind, EventStatus, Registration, new_uid
    from network.extensions import db
    from network.outbox.models import OutboxMessage

    db.session.query(OutboxMessage).delete()
    db.session.query(Registration).delete()
    territory = db.session.scalar(db.select(Territory)) or Territory(code="metz", name="Metz")
    boss = db.session.scalar(db.select(User)) or User(
        email="banc@example.org", name="Banc", password_hash="x", is_staff=True)
    db.session.add_all([territory, boss])
    db.session.flush()
    start = utcnow() + timedelta(hours=20)
    event = staff.create_event(staff.EventData(
        kind=EventKind.EVENING, title="Soirée banc d'essai", start_at=start,
        end_at=start + timedelta(hours=3), territory_id=territory.id, venue_name="Salle",
        capacity=None), acting=boss)
    event.status = EventStatus.PUBLISHED
    for n in range(people):
        db.session.add(Registration(
            event_id=event.id, email=f"p{n}@example.org", name=f"Personne {n}",
            status="confirmed", is_email_confirmed=True, ical_uid=f"{new_uid()}@bench",
            locale=languages[n % len(languages)], confirmed_at=utcnow()))
    db.session.commit()
    began = time.perf_counter()
    with unit_of_work():
        sent = notices.send_reminders(acting=System("bench"))
    elapsed = time.perf_counter() - began
    assert sent == people, sent
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--people", type=int, default=300)
    args = parser.parse_args()
    url, cleanup = _database(args.db)
    os.environ.update(DATABASE_URL=url, NETWORK_ENV="development")
    from network import create_app
    from network.extensions import db

    app = create_app()
    try:
        with app.app_context():
            db.create_all()
            run(20, ("fr", "en", "de"))  # warm: templates compiled, catalogues loaded
            for label, langs in (("fr only", ("fr",)), ("fr/en/de", ("fr", "en", "de"))):
                times = sorted(run(args.people, langs) for _ in range(3))
                print(f"{args.db}: {args.people} reminders, {label}: median {times[1]:.2f} s "
                      f"({1000 * times[1] / args.people:.1f} ms per mail)")
            db.session.remove()
            db.engine.dispose()
    finally:
        cleanup()


if __name__ == "__main__":
    main()
