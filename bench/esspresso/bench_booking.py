"""ESSpresso benchmarks, run by hand (never in the test suite):

1. `booking`: 50 buyers, each a real client (log in, open the booking page, post), book the
   same 5 popular suppliers at once through gunicorn (2 workers); bookings per second, p50/p95
   of the booking POST, and a check in SQL that no table, participant or pair is booked twice.
2. `schedule`: "run the scheduler" end to end for a 150 × 300 × 16 session (export the
   instance, solve, store the proposal, publish the meetings), in seconds, phase by phase.

    .venv/bin/python bench/esspresso/bench_booking.py booking --db sqlite
    .venv/bin/python bench/esspresso/bench_booking.py booking --db postgres
    .venv/bin/python bench/esspresso/bench_booking.py schedule --db sqlite

Loopback only; bounded in count (buyers × suppliers × 2 attempts) and in time (--max-seconds).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import re
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PASSWORD = "banc d'essai ESSpresso 2026"

SEED = r'''
import json, random, sys
from datetime import datetime, timedelta
from werkzeug.security import generate_password_hash
from sqlalchemy import insert
from network import create_app
from network.extensions import db
from network.core.time import PARIS, utcnow
from network.accounts import services as accounts
from network.accounts.models import OrganisationKind, User
from network.core.auth import System
from network.directory import profiles as directory
from network.directory import reference as directory_reference
from network.directory.fields import StructureData
from network.events import staff as _events_staff
from network.events import territories as _territories
from network.events.models import EventKind, EventStatus
from network.esspresso import planning
from network.esspresso.models import BuyerProfile
from network.meetings.models import MeetingWish, Meeting
from network.meetings import participants as engine
from network.meetings.booking import place
from network.meetings.models import BookingSource

buyers_n, suppliers_n, slots_n, tables_n, wishes_per, fixed_n = map(int, sys.argv[1:7])
app = create_app()
with app.app_context():
    db.create_all()
    directory_reference.ensure_reference_data()
    hashed = generate_password_hash(sys.argv[7], method="scrypt:1024:8:1")
    staff = User(email="equipe@banc.example", name="Equipe", password_hash=hashed,
                 email_verified_at=utcnow(), is_staff=True)
    db.session.add(staff)
    db.session.commit()
    day = (utcnow() + timedelta(days=20)).astimezone(PARIS).date()
    start = datetime(day.year, day.month, day.day, 9, tzinfo=PARIS)
    event = _events_staff.create_event(_events_staff.EventData(
        kind=EventKind.ESSPRESSO, title="ESSpresso banc d'essai", start_at=start,
        end_at=start + timedelta(minutes=15 * slots_n),
        territory_id=_territories.by_code("metz").id, capacity=None), acting=staff)
    event.status = EventStatus.PUBLISHED
    db.session.commit()
    session = planning.create_session(planning.SessionForm(
        event_id=event.id, slot_minutes=15, tables_count=tables_n), acting=staff)
    db.session.commit()
    people = {"a": [], "b": []}
    for side, n in (("a", buyers_n), ("b", suppliers_n)):
        for i in range(n):
            user = User(email=f"{side}{i}@banc.example", name=f"{side}{i}", password_hash=hashed,
                        email_verified_at=utcnow())
            db.session.add(user)
            db.session.flush()
            kind = OrganisationKind.BUYER if side == "a" else OrganisationKind.STRUCTURE
            org = accounts.create_organisation(user, name=f"Organisation {side}{i}", kind=kind)
            p = engine.join(session, side, display_name=org.name, presence=engine.Presence(),
                            organisation_id=org.id)
            people[side].append((p.id, user.email))
        db.session.commit()
    rng = random.Random(1)
    a_ids = [p for p, _e in people["a"]]
    b_ids = [p for p, _e in people["b"]]
    rows, seen = [], set()
    popular = b_ids[: max(1, len(b_ids) // 10)]
    for src, dsts, k in ((a_ids, b_ids, wishes_per), (b_ids, a_ids, max(1, wishes_per // 3))):
        for s in src:
            for d in rng.sample(dsts, k) + ([rng.choice(popular)] if dsts is b_ids else []):
                if (s, d) not in seen:
                    seen.add((s, d))
                    rows.append({"session_id": session.id, "from_id": s, "to_id": d,
                                 "priority": rng.choice([1, 2, 2, 3]), "updated_at": utcnow()})
    if rows:
        db.session.execute(insert(MeetingWish), rows)
    by_id = {p.id: p for p in engine_participants} if False else None
    from network.meetings.models import MeetingParticipant
    parts = {p.id: p for p in db.session.query(MeetingParticipant)}
    placed = 0
    for i in range(fixed_n):
        a, b = parts[a_ids[i % len(a_ids)]], parts[rng.choice(b_ids)]
        if place(session, a, b, rng.randrange(slots_n), source=BookingSource.BOOKED,
                 by_id=None) is not None:
            placed += 1
    db.session.commit()
    print(json.dumps({"session": session.id, "buyers": people["a"], "suppliers": people["b"],
                      "wishes": len(rows), "fixed": placed}))
'''

CHECK = r'''
import json, sys
from sqlalchemy import text
from network import create_app
from network.extensions import db
app = create_app()
with app.app_context():
    q = lambda cols: db.session.execute(text(
        f"SELECT count(*) FROM (SELECT {cols} FROM meeting_bookings WHERE session_id = :s "
        f"GROUP BY {cols} HAVING count(*) > 1) t"), {"s": int(sys.argv[1])}).scalar()
    total = db.session.execute(text("SELECT count(*) FROM meeting_bookings WHERE session_id = :s"),
                               {"s": int(sys.argv[1])}).scalar()
    print(json.dumps({"meetings": total,
                      "table_twice": q("slot_index, table_number"),
                      "buyer_twice": q("slot_index, a_id"),
                      "supplier_twice": q("slot_index, b_id"),
                      "pair_twice": q("a_id, b_id")}))
'''

SCHEDULE = r'''
import json, sys, time
from network import create_app
from network.core.auth import System
from network.extensions import db
from network.esspresso import adapters, planning
from network.meetings import scheduling
from network.meetings.rules import get_session
app = create_app()
with app.app_context():
    session = get_session(int(sys.argv[1]))
    acting = System("bench")
    t0 = time.perf_counter()
    instance = planning.export_instance(session)
    t1 = time.perf_counter()
    run = planning.run_scheduler(session, acting=acting, time_limit=float(sys.argv[2]))
    db.session.commit()
    t2 = time.perf_counter()
    told = planning.publish(session, run.id, acting=acting)
    db.session.commit()
    t3 = time.perf_counter()
    f = run.figures
    print(json.dumps({"export_s": round(t1 - t0, 3), "run_s": round(t2 - t1, 3),
                      "solve_s": run.seconds, "publish_s": round(t3 - t2, 3),
                      "total_s": round(t3 - t0, 3), "meetings": f["meetings"],
                      "kept": f["kept"], "new": f["new"], "value": f["value"],
                      "wishes": f["wishes"], "idle_gaps": f["idle_gaps"],
                      "participants_told": told, "instance_wishes": len(instance["wishes"])}))
'''


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _token(page: str) -> str:
    m = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page)
    return m.group(1)


def _open(opener, url: str, data: dict | None = None) -> tuple[int, str]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with opener.open(urllib.request.Request(url, data=body), timeout=60) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode(errors="replace")


def buyer(base: str, session_id: int, email: str, suppliers: list[int], deadline: float,
          start: threading.Barrier, out: dict) -> None:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    _s, page = _open(opener, f"{base}/connexion")
    status, _p = _open(opener, f"{base}/connexion", {"csrf_token": _token(page), "email": email,
                                                    "password": PASSWORD})
    assert status == 302, f"login {email}: {status}"
    rng = random.Random(email)
    start.wait(timeout=120)
    with out["lock"]:
        out["started"] = out.get("started") or time.perf_counter()
    for supplier in suppliers:
        for _attempt in range(3):  # a slot shown free; if it just went, choose again
            if time.monotonic() > deadline:
                return
            url = f"{base}/esspresso/{session_id}/reserver/{supplier}"
            _s, page = _open(opener, url)
            slots = re.findall(r'<input id="slot-\d+" name="slot"[^>]* value="(\d+)"', page)
            if not slots:
                if os.environ.get("BENCH_DEBUG"):
                    print(_s, page[:3000])
                out["no_slot"] += 1
                break
            t0 = time.perf_counter()
            status, _p = _open(opener, url, {"csrf_token": _token(page),
                                              "slot": rng.choice(slots[:4])})
            out["latency"].append(time.perf_counter() - t0)
            with out["lock"]:
                out[status] = out.get(status, 0) + 1
            if status == 302:
                break


def bench_booking(args, env) -> dict:
    seeded = json.loads(subprocess.run(
        [PY, "-c", SEED, str(args.buyers), str(args.suppliers), "16", str(args.tables), "0",
         "0", PASSWORD], env=env, cwd=ROOT, check=True, capture_output=True,
        text=True).stdout.strip().splitlines()[-1])
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([GUNICORN, "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level",
                               "warning", "network:create_app()"], env={**env, "SITE_URL": base},
                              cwd=ROOT)
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{base}/sante", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        popular = [p for p, _e in seeded["suppliers"][: args.popular]]
        out: dict = {"latency": [], "no_slot": 0, "lock": threading.Lock()}
        start = threading.Barrier(len(seeded["buyers"]))
        deadline = time.monotonic() + args.max_seconds
        with ThreadPoolExecutor(len(seeded["buyers"])) as pool:
            list(pool.map(lambda b: buyer(base, seeded["session"], b[1], popular, deadline,
                                          start, out), seeded["buyers"]))
        elapsed = time.perf_counter() - out["started"]  # from the moment all were logged in
    finally:
        server.terminate()
        server.wait(timeout=30)
    check = json.loads(subprocess.run([PY, "-c", CHECK, str(seeded["session"])], env=env,
                                      cwd=ROOT, check=True, capture_output=True,
                                      text=True).stdout.strip().splitlines()[-1])
    lat = sorted(out["latency"])
    return {"db": args.db, "buyers": len(seeded["buyers"]), "popular_suppliers": args.popular,
            "booking_posts": len(lat), "booked": out.get(302, 0), "taken_409": out.get(409, 0),
            "attempts_per_booking": "3 at most, a random one of the 4 first free slots",
            "other_status": {k: v for k, v in out.items() if isinstance(k, int)
                             and k not in (302, 409)},
            "no_free_slot_left": out["no_slot"], "seconds": round(elapsed, 2),
            "bookings_per_s": round(out.get(302, 0) / elapsed, 1),
            "posts_per_s": round(len(lat) / elapsed, 1),
            "p50_ms": round(statistics.median(lat) * 1000, 1) if lat else None,
            "p95_ms": round(lat[int(0.95 * len(lat)) - 1] * 1000, 1) if lat else None,
            **check}


def bench_schedule(args, env) -> dict:
    t0 = time.perf_counter()
    seeded = json.loads(subprocess.run(
        [PY, "-c", SEED, "150", "300", "16", "80", "8", "120", PASSWORD], env=env, cwd=ROOT,
        check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])
    seed_s = time.perf_counter() - t0
    result = json.loads(subprocess.run(
        [PY, "-c", SCHEDULE, str(seeded["session"]), str(args.time_limit)], env=env, cwd=ROOT,
        check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])
    return {"db": args.db, "size": "150 x 300 x 16, 80 tables", "seed_s": round(seed_s, 1),
            "wish_rows": seeded["wishes"], "fixed_booked": seeded["fixed"], **result}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["booking", "schedule"])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--buyers", type=int, default=50)
    parser.add_argument("--suppliers", type=int, default=10)
    parser.add_argument("--popular", type=int, default=5)
    parser.add_argument("--tables", type=int, default=8)
    parser.add_argument("--max-seconds", type=float, default=120)
    parser.add_argument("--time-limit", type=float, default=20)
    args = parser.parse_args()
    env = {**os.environ, "NETWORK_ENV": "development", "RATELIMIT_ENABLED": "0",
           "MAIL_SERVER": "", "MAIL_PREVIEW": "0", "PASSWORD_HASH_METHOD": "scrypt:1024:8:1"}
    dbname = None
    if args.db == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    else:
        dbname = f"network_bench_esspresso_{os.getpid()}"
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", dbname], check=True)
        env["DATABASE_URL"] = f"postgresql://postgres@127.0.0.1/{dbname}"
    try:
        result = bench_booking(args, env) if args.what == "booking" else bench_schedule(args,
                                                                                        env)
    finally:
        if dbname:
            subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--force", dbname],
                           check=False)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
