"""Directory search benchmark, run by hand:

    .venv/bin/python bench/directory/bench_search.py [--sizes 10000 100000] [--engines sqlite pg]

For each engine and size: a fresh database (SQLite temp file / new PostgreSQL database on
127.0.0.1), N invented structures bulk-inserted with the service's own normalisation
(`directory.search.search_text_for`), then p50/p95 of
  - `directory.search.search_structures(q, filters)`: 1–2 words (prefixes) + one filter, relevance
    order, 20 per page, total counted;
  - the page `GET /annuaire/?q=…&territoire=…` through the Flask test client (whole
    request: routing, search, reference lists, Jinja rendering of 20 cards).
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, insert, select, text  # noqa: E402

PG_SERVER = os.environ.get("BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1/postgres")

PREFIXES = ["Atelier", "Jardins", "Régie de quartier", "Ressourcerie", "Coopérative",
            "Association", "Maison", "Chantier d'insertion", "Épicerie solidaire",
            "Garage solidaire", "Entreprise adaptée", "ESAT", "Café associatif",
            "Recyclerie", "Scop", "Compagnie", "Club", "Fondation", "Mutuelle", "Collectif"]
SUFFIXES = ["de la Seille", "du Warndt", "des Trois Frontières", "Solidaire", "Mosellane",
            "de l'Économie Circulaire", "du Saulnois", "de la Nied", "du Bitcherland",
            "des Côtes de Moselle", "Vivre Ensemble", "Emploi Nature", "Horizon", "Arc-en-ciel",
            "Terre et Partage", "Main dans la Main", "Pays Haut", "Val de Fensch"]
COMMUNES = [("57000", "Metz"), ("57100", "Thionville"), ("57600", "Forbach"),
            ("57200", "Sarreguemines"), ("57400", "Sarrebourg"), ("57500", "Saint-Avold"),
            ("57700", "Hayange"), ("57230", "Bitche"), ("57170", "Château-Salins"),
            ("57140", "Woippy"), ("57220", "Boulay-Moselle"), ("57260", "Dieuze")]
WORDS = ("insertion emploi réemploi recyclage maraîchage biologique paniers légumes espaces "
         "verts propreté nettoyage bureaux vitrerie traiteur buffets repas produits locaux "
         "saison informatique ordinateurs reconditionnés logistique conditionnement "
         "impression reprographie couture retouches textile vélo réparation mobilité "
         "transport personnes âgées handicap accompagnement formation jeunesse culture "
         "théâtre spectacles cinéma sport santé prévention logement hébergement tourisme "
         "gîtes énergie solaire rénovation bâtiment menuiserie peinture déménagement "
         "blanchisserie économie sociale solidaire coopérative bénévoles salariés "
         "territoire moselle lorraine quartier rural ville familles enfants").split()
QUERIES = ["economie", "insertion", "traiteur", "jardins", "recyclerie", "velo", "informatique",
           "espaces verts", "menuiserie", "couture", "solidaire metz", "cooperative energie",
           "propre", "reemploi", "handicap", "cafe", "theatre", "logistique", "garage",
           "ressourcerie", "maraichage", "transport", "formation", "sport"]


def make_app(url: str):
    from network import create_app

    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                       "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                       "SITE_URL": "http://localhost", "SERVER_NAME": None})


def fill(n: int, seed: int = 57) -> None:
    """Bulk insert: organisations, structures (search text from the service), links."""
    from network.accounts.models import Organisation, OrganisationKind
    from network.core import search as fulltext
    from network.core.time import utcnow
    from network.directory import reference
    from network.directory import search as dsearch
    from network.directory.demo import make_siret
    from network.directory.models import (
        BuyerKind,
        LegalForm,
        PurchaseCategory,
        Sector,
        Structure,
        StructureOffering,
        StructureStatus,
        Territory,
        structure_sectors,
    )
    from network.extensions import db

    reference.ensure_reference_data()
    rng = random.Random(seed)
    territories = list(db.session.scalars(select(Territory)))
    sectors = [s for s in db.session.scalars(select(Sector)) if s.parent_id is not None]
    categories = list(db.session.scalars(select(PurchaseCategory)))
    forms, kinds = list(LegalForm), list(BuyerKind)
    now = utcnow()
    chunk = 2000
    for start in range(0, n, chunk):
        size = min(chunk, n - start)
        org_ids = [r[0] for r in db.session.execute(
            insert(Organisation).returning(Organisation.id),
            [{"name": f"org {start + i}", "kind": OrganisationKind.STRUCTURE,
              "created_at": now} for i in range(size)])]
        rows, links, offers = [], [], []
        for i, org_id in enumerate(org_ids):
            k = start + i
            name = f"{rng.choice(PREFIXES)} {rng.choice(SUFFIXES)} {k}"
            postcode, commune = rng.choice(COMMUNES)
            territory = rng.choice(territories)
            my_sectors = rng.sample(sectors, rng.randint(1, 3))
            my_categories = rng.sample(categories, rng.randint(0, 3))
            form, kind = rng.choice(forms), rng.choice(kinds)
            description = " ".join(rng.choices(WORDS, k=rng.randint(20, 60)))
            rows.append({
                "organisation_id": org_id, "status": StructureStatus.APPROVED, "name": name,
                "siret": make_siret(10_000_000 + k), "siren": make_siret(10_000_000 + k)[:9],
                "legal_form": form, "buyer_kind": kind, "postcode": postcode,
                "commune": commune, "territory_id": territory.id, "description": description,
                "search_text": dsearch.search_text_for(
                    name=name, commune=commune, postcode=postcode, territory=territory.name,
                    sectors=[s.name for s in my_sectors],
                    categories=[c.name for c in my_categories], legal_form=form,
                    buyer_kind=kind, description=description),
                "sort_name": fulltext.normalise(name),
                "created_at": now, "updated_at": now, "approved_at": now,
            })
            links.append([s.id for s in my_sectors])
            offers.append([c.id for c in my_categories])
        ids = [r[0] for r in db.session.execute(insert(Structure).returning(Structure.id),
                                                rows)]
        sector_rows = [{"structure_id": sid, "sector_id": x}
                       for sid, xs in zip(ids, links, strict=True) for x in xs]
        offer_rows = [{"structure_id": sid, "category_id": x}
                      for sid, xs in zip(ids, offers, strict=True) for x in xs]
        db.session.execute(insert(structure_sectors), sector_rows)
        if offer_rows:
            db.session.execute(insert(StructureOffering), offer_rows)
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
    from network.directory import reference
    from network.directory import search as dsearch
    from network.extensions import db

    rng = random.Random(seed)
    codes = [t.code for t in reference.list_territories()]
    cats = [c.code for c in reference.list_categories()]
    cases = []
    for _ in range(rounds):
        q = rng.choice(QUERIES)
        if rng.random() < 0.5:
            cases.append((q, {"territoire": rng.choice(codes)}))
        else:
            cases.append((q, {"categorie": rng.choice(cats)}))
    results = {}
    service_times, totals = [], []
    for q, f in cases[:20] + cases:  # the first 20 warm the caches
        filters = dsearch.SearchFilters(territories=(f.get("territoire"),) if "territoire" in f
                                         else (), categories=(f.get("categorie"),)
                                         if "categorie" in f else ())
        db.session.expire_all()
        started = time.perf_counter()
        page = dsearch.search_structures(q, filters)
        service_times.append((time.perf_counter() - started) * 1000)
        totals.append(page.total)
    results["service"] = percentiles(service_times[20:])
    client = app.test_client()
    page_times = []
    for q, f in cases[:20] + cases:
        started = time.perf_counter()
        response = client.get("/annuaire/", query_string={"q": q, **f})
        page_times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.text[-3000:]
    results["page"] = percentiles(page_times[20:])
    results["matches"] = (statistics.median(totals[20:]), max(totals[20:]), 0)
    return results


def run(engine: str, n: int, rounds: int) -> dict:
    from network.extensions import db

    cleanup = None
    if engine == "sqlite":
        fd, path = tempfile.mkstemp(prefix="bench-directory-", suffix=".db")
        os.close(fd)
        url = f"sqlite:///{path}"

        def cleanup():
            for suffix in ("", "-wal", "-shm"):
                Path(path + suffix).unlink(missing_ok=True)
    else:
        admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
        name = f"bench_directory_{uuid.uuid4().hex[:8]}"
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
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--engines", nargs="+", default=["sqlite", "pg"])
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    print(f"# {platform.platform()}, Python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs, {args.rounds} queries each")
    print("| engine | structures | bulk load (s) | service p50 / p95 / max (ms) | "
          "page p50 / p95 / max (ms) | matches median / max |")
    print("|---|---|---|---|---|---|")
    for engine in args.engines:
        for n in args.sizes:
            r = run(engine, n, args.rounds)
            s, p, m = r["service"], r["page"], r["matches"]
            print(f"| {engine} | {n:,} | {r['load_s'][0]:.1f} | {s[0]:.1f} / {s[1]:.1f} / "
                  f"{s[2]:.1f} | {p[0]:.1f} / {p[1]:.1f} / {p[2]:.1f} | {m[0]:.0f} / {m[1]:.0f} |",
                  flush=True)


if __name__ == "__main__":
    main()
