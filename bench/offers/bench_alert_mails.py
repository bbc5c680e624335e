"""Alert mails in their readers' languages, run by hand:

    .venv/bin/python bench/offers/bench_alert_mails.py [--alerts 1000] [--engines sqlite pg]

For each engine: a fresh database (SQLite temp file / new PostgreSQL database on 127.0.0.1),
one approved structure, N confirmed alerts that all match the next offer — a third made by
guests on a French, English or German page, a third by accounts (half of them set to German),
a third by guests filtering on a territory (their label needs the territory's name) — then the
time `publish_offer` takes to write the N mails into the outbox (each rendered in its
reader's language: the recipient's account looked up, the search described in that language,
subject, text and HTML). Three runs, each on a new offer; the median per mail is reported.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

PG_SERVER = os.environ.get("BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1/postgres")


def make_app(url: str):
    from network import create_app

    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                       "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                       "SITE_URL": "http://localhost"})


def fill(n: int):
    from network.accounts.models import User
    from network.core.time import utcnow
    from network.directory import profiles
    from network.directory import reference as directory_reference
    from network.directory.demo import make_siret
    from network.directory.fields import StructureData
    from network.extensions import db
    from network.offers.models import SavedSearch

    directory_reference.ensure_reference_data()
    now = utcnow()
    owner = User(email="owner@example.org", name="Owner", email_verified_at=now,
                 password_hash="x")
    staff = User(email="staff@example.org", name="Staff", email_verified_at=now,
                 password_hash="x", is_staff=True)
    db.session.add_all([owner, staff])
    db.session.flush()
    structure = profiles.create_structure(acting=owner, data=StructureData(
        name="Les Jardins de la Seille", siret=make_siret(901), legal_form="association",
        rna="W572000001", postcode="57000", commune="Metz", territory="metz",
        sectors=["insertion"], description="Une association."))
    profiles.approve_structure(structure, acting=staff)
    langs = ("fr", "en", "de")
    for i in range(n):
        kind = i % 3
        user_id, locale, criteria = None, langs[(i // 3) % 3], {"famille": ["emploi"]}
        email = f"alert{i}@example.org"
        if kind == 1:
            user = User(email=email, name=f"P {i}", email_verified_at=now, password_hash="x",
                        locale="de" if i % 2 else None)
            db.session.add(user)
            db.session.flush()
            user_id, locale = user.id, None
        elif kind == 2:
            criteria = {"territoire": ["metz"], "type": ["cdi"], "q": "encadrant"}
        db.session.add(SavedSearch(user_id=user_id, email=email, criteria=criteria,
                                   label="", created_at=now, confirmed_at=now, locale=locale))
    db.session.commit()
    return structure, owner


def run(url: str, n: int) -> dict:
    from network.core.time import utcnow
    from network.extensions import db
    from network.offers import offers
    from network.outbox.models import OutboxMessage

    app = make_app(url)
    with app.app_context():
        db.create_all()
        structure, owner = fill(n)
        timings = []
        for round_ in range(3):
            offer = offers.create_offer(structure, offers.OfferData(
                kind="cdi", title=f"Encadrant technique {round_}", commune="Metz",
                territory="metz", closes_on=(utcnow() + timedelta(days=30)).date(),
                description="Encadrer une équipe."), acting=owner)
            db.session.flush()
            with app.test_request_context():  # published from a French page
                start = time.perf_counter()
                offers.publish_offer(offer, acting=owner)
                db.session.flush()
                timings.append(time.perf_counter() - start)
            db.session.commit()
        sent = db.session.query(OutboxMessage).filter(
            OutboxMessage.kind == "offer_alert").count()
        german = db.session.query(OutboxMessage).filter(
            OutboxMessage.kind == "offer_alert",
            OutboxMessage.subject.like("Neues Angebot%")).count()
        db.session.remove()
    median = statistics.median(timings)
    return {"mails": sent, "german": german, "median_s": median,
            "per_mail_ms": median / n * 1000}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--alerts", type=int, default=1000)
    parser.add_argument("--engines", nargs="+", default=["sqlite", "pg"])
    args = parser.parse_args()
    print(f"python {platform.python_version()}, {os.cpu_count()} cpu, {args.alerts} alerts")
    for engine in args.engines:
        if engine == "sqlite":
            path = Path(tempfile.mkdtemp()) / "bench.db"
            result = run(f"sqlite:///{path}", args.alerts)
        else:
            name = f"bench_alerts_{uuid.uuid4().hex[:8]}"
            server = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
            with server.connect() as c:
                c.execute(text(f"CREATE DATABASE {name}"))
            try:
                result = run(PG_SERVER.rsplit("/", 1)[0] + f"/{name}", args.alerts)
            finally:
                with server.connect() as c:
                    c.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                server.dispose()
        print(f"{engine}: {result['mails']} alert mails over 3 publications "
              f"({result['german']} in German); publish_offer median {result['median_s']:.2f} s"
              f" = {result['per_mail_ms']:.2f} ms per mail")


if __name__ == "__main__":
    main()
