"""Offer search benchmark, run by hand:

    .venv/bin/python bench/offers/bench_search.py [--sizes 20000] [--engines sqlite pg]

For each engine and size: a fresh database (SQLite temp file / new PostgreSQL database on
127.0.0.1), 300 approved structures, then N invented offers bulk-inserted (90 % published and
open, the rest drafts, filled or past their closing date) with the service's own search text
(`offers.search_text_for`), then p50/p95 of
  - `listing.search_offers(filters)`: 1–2 words typed without accents + one filter (a family,
    a kind or a territory), relevance order, 20 per page, total counted;
  - the page `GET /offres/?q=…&…` through the Flask test client (whole request).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, insert, select, text  # noqa: E402

PG_SERVER = os.environ.get("BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1/postgres")

JOBS = ["Encadrant·e technique", "Ouvrier·ère maraîcher·ère", "Agent·e de propreté",
        "Commis de cuisine", "Mécanicien·ne cycles", "Chauffeur·se livreur·se",
        "Technicien·ne informatique", "Animateur·rice", "Couturier·ère", "Comptable",
        "Chargé·e de communication", "Éducateur·rice spécialisé·e", "Aide à domicile",
        "Valoriste", "Agent·e d'entretien des espaces verts", "Médiateur·rice numérique",
        "Coordinateur·rice de bénévoles", "Accompagnateur·rice socio-professionnel·le"]
CONTEXTS = ["en insertion", "au jardin", "à la ressourcerie", "pour l'épicerie sociale",
            "à l'atelier vélo", "au théâtre", "pour le transport solidaire", "à la MJC",
            "au chantier d'insertion", "à l'ESAT", "pour les familles", "en milieu rural"]
WORDS = ("insertion emploi réemploi recyclage maraîchage biologique paniers légumes espaces "
         "verts propreté nettoyage traiteur repas informatique ordinateurs logistique "
         "couture vélo réparation mobilité transport personnes âgées handicap accompagnement "
         "formation jeunesse culture théâtre sport santé logement énergie rénovation "
         "bâtiment économie sociale solidaire coopérative bénévoles équipe accueil").split()
COMMUNES = [("57000", "Metz"), ("57100", "Thionville"), ("57600", "Forbach"),
            ("57200", "Sarreguemines"), ("57400", "Sarrebourg"), ("57500", "Saint-Avold"),
            ("57700", "Hayange"), ("57230", "Bitche"), ("57170", "Château-Salins")]
QUERIES = ["maraicher", "insertion", "velo", "informatique", "cuisine", "benevole", "animateur",
           "espaces verts", "educateur", "comptable", "mediateur numerique", "chauffeur",
           "couture", "jardin", "ressourcerie", "theatre", "aide domicile", "accompagnement",
           "metz", "encadrant technique", "propre", "reemploi", "logistique", "sport"]


def make_app(url: str):
    from network import create_app

    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                       "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                       "SITE_URL": "http://localhost"})


def fill(n: int, seed: int = 57) -> None:
    from network.accounts.models import Organisation, OrganisationKind
    from network.core.time import utcnow
    from network.directory import reference as directory_reference
    from network.directory.demo import make_siret
    from network.directory.models import (
        LegalForm,
        Sector,
        Structure,
        StructureStatus,
        Territory,
        structure_sectors,
    )
    from network.extensions import db
    from network.offers import offers
    from network.offers.models import ACCESSIBILITY, Offer, OfferKind, OfferState, WorkMode

    directory_reference.ensure_reference_data()
    rng = random.Random(seed)
    territories = list(db.session.scalars(select(Territory)))
    sectors = [s for s in db.session.scalars(select(Sector)) if s.parent_id is not None]
    now = utcnow()
    today = now.date()
    org_ids = [r[0] for r in db.session.execute(
        insert(Organisation).returning(Organisation.id),
        [{"name": f"org {i}", "kind": OrganisationKind.STRUCTURE, "created_at": now}
         for i in range(300)])]
    rows = []
    for i, org_id in enumerate(org_ids):
        postcode, commune = rng.choice(COMMUNES)
        rows.append({"organisation_id": org_id, "status": StructureStatus.APPROVED,
                     "name": f"Structure {i}", "siret": make_siret(20_000_000 + i),
                     "siren": make_siret(20_000_000 + i)[:9], "legal_form": LegalForm.ASSOCIATION,
                     "postcode": postcode, "commune": commune,
                     "territory_id": rng.choice(territories).id, "search_text": f"structure {i}",
                     "sort_name": f"structure {i}", "created_at": now, "updated_at": now,
                     "approved_at": now})
    structure_ids = [r[0] for r in db.session.execute(
        insert(Structure).returning(Structure.id), rows)]
    db.session.execute(insert(structure_sectors), [
        {"structure_id": sid, "sector_id": s.id}
        for sid in structure_ids for s in rng.sample(sectors, 2)])
    db.session.commit()
    structures = {s.id: s for s in db.session.scalars(select(Structure))}
    kinds = list(OfferKind)
    chunk = 2000
    for start in range(0, n, chunk):
        batch = []
        for _ in range(min(chunk, n - start)):
            structure = structures[rng.choice(structure_ids)]
            postcode, commune = rng.choice(COMMUNES)
            territory = rng.choice(territories)
            state = rng.choices([OfferState.PUBLISHED, OfferState.DRAFT, OfferState.FILLED,
                                 OfferState.EXPIRED], weights=[90, 4, 3, 3])[0]
            offer = Offer(structure_id=structure.id, kind=rng.choice(kinds), state=state,
                          title=f"{rng.choice(JOBS)} {rng.choice(CONTEXTS)}",
                          description=" ".join(rng.choices(WORDS, k=rng.randint(30, 80))),
                          commune=commune, postcode=postcode, territory_id=territory.id,
                          starts_on=today + timedelta(days=rng.randint(0, 120))
                          if rng.random() < 0.7 else None,
                          time_commitment="24 h par semaine", places=rng.randint(1, 5),
                          work_mode=rng.choice(list(WorkMode)),
                          accessibility=rng.sample(ACCESSIBILITY, 2),
                          skills=", ".join(rng.sample(WORDS, 3)),
                          closes_on=today + timedelta(days=rng.randint(1, 90))
                          if state != OfferState.EXPIRED else today - timedelta(days=3),
                          created_at=now, updated_at=now,
                          published_at=now - timedelta(minutes=rng.randint(0, 50_000)))
            offer.structure, offer.territory = structure, territory
            offer.search_text = offers.search_text_for(offer)
            batch.append({c.key: getattr(offer, c.key) for c in Offer.__table__.columns
                          if c.key != "id"})
            db.session.expunge(offer) if offer in db.session else None
        db.session.execute(insert(Offer), batch)
        db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * len(ordered))) - 1)]
    return statistics.median(ordered), p95, ordered[-1]


def measure(app, rounds: int, seed: int = 1) -> dict[str, tuple[float, float, float]]:
    from network.directory import reference as directory_reference
    from network.extensions import db
    from network.offers import listing
    from network.offers.models import OfferKind

    rng = random.Random(seed)
    codes = [t.code for t in directory_reference.list_territories()]
    cases = []
    for _ in range(rounds):
        q = rng.choice(QUERIES)
        pick = rng.random()
        if pick < 0.4:
            cases.append((q, {"famille": rng.choice(["emploi", "engagement"])}))
        elif pick < 0.7:
            cases.append((q, {"territoire": rng.choice(codes)}))
        else:
            cases.append((q, {"type": rng.choice(list(OfferKind)).value}))
    service_times, cpu_times, totals = [], [], []
    for q, f in cases[:20] + cases:  # the first 20 warm the caches
        filters = listing.OfferFilters.from_args({"q": q, **f})
        db.session.expire_all()
        started, cpu = time.perf_counter(), time.process_time()
        page = listing.search_offers(filters)
        service_times.append((time.perf_counter() - started) * 1000)
        # CPU of this process (SQLite runs in it): robust to other processes on the machine
        cpu_times.append((time.process_time() - cpu) * 1000)
        totals.append(page.total)
    client = app.test_client()
    page_times = []
    for q, f in cases[:20] + cases:
        started = time.perf_counter()
        response = client.get("/offres/", query_string={"q": q, **f})
        page_times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.text[-3000:]
    return {"service": percentiles(service_times[20:]), "page": percentiles(page_times[20:]),
            "cpu": percentiles(cpu_times[20:]),
            "matches": (statistics.median(totals[20:]), max(totals[20:]), 0)}


def run(engine: str, n: int, rounds: int) -> dict:
    from network.extensions import db

    if engine == "sqlite":
        fd, path = tempfile.mkstemp(prefix="bench-offers-", suffix=".db")
        os.close(fd)
        url = f"sqlite:///{path}"

        def cleanup():
            for suffix in ("", "-wal", "-shm"):
                Path(path + suffix).unlink(missing_ok=True)
    else:
        admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
        name = f"bench_offers_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = PG_SERVER.rsplit("/", 1)[0] + f"/{name}"

        def cleanup():
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    app = make_app(url)
    try:
        with app.app_context():
            db.create_all()
            started = time.perf_counter()
            fill(n)
            load_s = time.perf_counter() - started
            result = measure(app, rounds)
            db.session.remove()
            db.engine.dispose()
        result["load_s"] = (load_s, 0, 0)
        return result
    finally:
        cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000])
    parser.add_argument("--engines", nargs="+", default=["sqlite", "pg"])
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    print(f"# {platform.platform()}, Python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs, {args.rounds} queries each, load average "
          f"{os.getloadavg()[0]:.1f} at start")
    print("| engine | offers | bulk load (s) | service p50 / p95 / max (ms) | "
          "service CPU p50 / p95 (ms) | page p50 / p95 / max (ms) | matches median / max |")
    print("|---|---|---|---|---|---|---|")
    for engine in args.engines:
        for n in args.sizes:
            r = run(engine, n, args.rounds)
            s, c, p, m = r["service"], r["cpu"], r["page"], r["matches"]
            print(f"| {engine} | {n:,} | {r['load_s'][0]:.1f} | {s[0]:.1f} / {s[1]:.1f} / "
                  f"{s[2]:.1f} | {c[0]:.1f} / {c[1]:.1f} | {p[0]:.1f} / {p[1]:.1f} / "
                  f"{p[2]:.1f} | {m[0]:.0f} / {m[1]:.0f} |", flush=True)
    print(f"# load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
