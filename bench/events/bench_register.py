"""Registrations per second through gunicorn (2 workers), and p95 of the event page and feed.

Run by hand:  .venv/bin/python bench/events/bench_register.py --db sqlite
              .venv/bin/python bench/events/bench_register.py --db postgres
Each client thread opens the event page once (session cookie + CSRF token, as a browser does),
then posts guest registrations. Bounded in count and time.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")

SETUP = """
from datetime import timedelta
from network import create_app
from network.extensions import db
from network.core.time import utcnow
from network.accounts.models import User
from network.directory.models import Territory
from network.events import staff
from network.events.models import EventKind, EventStatus
app = create_app()
with app.app_context():
    db.create_all()
    start = utcnow() + timedelta(days=30)
    metz = Territory(code="metz", name="Metz")
    boss = User(email="banc@example.org", name="Banc", password_hash="x", is_staff=True)
    db.session.add_all([metz, boss])
    db.session.flush()
    e = staff.create_event(staff.EventData(kind=EventKind.FORUM, title="Forum banc d'essai",
        start_at=start, end_at=start + timedelta(hours=6), territory_id=metz.id,
        capacity={seats}), acting=boss)
    e.status = EventStatus.PUBLISHED
    db.session.commit()
    print(e.id)
"""

CHECK = """
from network import create_app
from network.extensions import db
from network.events import queries
from network.events.models import RegistrationStatus as S
app = create_app()
with app.app_context():
    e = queries.get_event({event_id})
    c = queries.counts(e)
    print(e.seats_taken, c[S.PENDING], c[S.WAITLISTED])
"""


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def client_worker(base: str, event_id: int, emails: list[str], deadline: float) -> list[float]:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    page = opener.open(f"{base}/evenements/{event_id}", timeout=30).read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    token = token or re.search(r'name="csrf_token" value="([^"]+)"', page)
    times = []
    for email in emails:
        if time.monotonic() > deadline:
            break
        body = urllib.parse.urlencode({"csrf_token": token.group(1), "name": "Banc d'essai",
                                       "email": email}).encode()
        t0 = time.perf_counter()
        try:
            opener.open(urllib.request.Request(f"{base}/evenements/{event_id}/inscription",
                                               data=body), timeout=60)
        except urllib.error.HTTPError as err:
            if err.code != 302:
                raise
        times.append(time.perf_counter() - t0)
    return times


def latency(url: str, n: int, concurrency: int) -> tuple[float, float]:
    def one(_):
        t0 = time.perf_counter()
        with urllib.request.urlopen(url, timeout=30) as r:
            r.read()
        return time.perf_counter() - t0

    with ThreadPoolExecutor(concurrency) as pool:
        times = sorted(pool.map(one, range(n)))
    return statistics.median(times) * 1000, times[int(0.95 * len(times)) - 1] * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--seats", type=int, default=1000)
    parser.add_argument("--registrations", type=int, default=1200)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--max-seconds", type=float, default=120)
    args = parser.parse_args()

    env = {**os.environ, "NETWORK_ENV": "development", "RATELIMIT_ENABLED": "0",
           "MAIL_SERVER": "", "MAIL_PREVIEW": "0"}
    dbname = None
    if args.db == "sqlite":
        path = Path(tempfile.mkdtemp()) / "bench.db"
        env["DATABASE_URL"] = f"sqlite:///{path}"
    else:
        dbname = f"network_bench_{os.getpid()}"
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", dbname], check=True)
        env["DATABASE_URL"] = f"postgresql://postgres@127.0.0.1/{dbname}"
    port = free_port()
    env["SITE_URL"] = base = f"http://127.0.0.1:{port}"
    event_id = int(subprocess.run([PY, "-c", SETUP.format(seats=args.seats)], env=env,
                                  cwd=ROOT, check=True, capture_output=True,
                                  text=True).stdout.split()[-1])
    server = subprocess.Popen([GUNICORN, "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level",
                               "warning", "network:create_app()"], env=env, cwd=ROOT)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/sante", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        emails = [f"banc{i}@example.org" for i in range(args.registrations)]
        chunks = [emails[i::args.clients] for i in range(args.clients)]
        deadline = time.monotonic() + args.max_seconds
        t0 = time.perf_counter()
        with ThreadPoolExecutor(args.clients) as pool:
            per_request = [t for ts in pool.map(
                lambda c: client_worker(base, event_id, c, deadline), chunks) for t in ts]
        elapsed = time.perf_counter() - t0
        per_request.sort()
        taken, pending, waiting = subprocess.run(
            [PY, "-c", CHECK.format(event_id=event_id)], env=env, cwd=ROOT, check=True,
            capture_output=True, text=True).stdout.split()
        page = latency(f"{base}/evenements/{event_id}", 400, 8)
        feed = latency(f"{base}/evenements/agenda.ics", 400, 8)
        print(f"database: {args.db}, gunicorn 2 workers, {args.clients} clients")
        print(f"registrations: {len(per_request)} in {elapsed:.1f} s = "
              f"{len(per_request) / elapsed:.0f}/s; p50 {statistics.median(per_request)*1000:.0f}"
              f" ms, p95 {per_request[int(0.95 * len(per_request)) - 1]*1000:.0f} ms")
        print(f"seats taken {taken}/{args.seats}, held {pending}, waitlisted {waiting}")
        print(f"event page: p50 {page[0]:.0f} ms, p95 {page[1]:.0f} ms (400 GETs, 8 clients)")
        print(f"public feed: p50 {feed[0]:.0f} ms, p95 {feed[1]:.0f} ms (400 GETs, 8 clients)")
        if int(taken) != min(len(per_request), args.seats):
            sys.exit("capacity broken!")
    finally:
        server.terminate()
        server.wait(timeout=10)
        if dbname:
            subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--force", dbname])


if __name__ == "__main__":
    main()
