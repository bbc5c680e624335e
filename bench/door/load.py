#!/usr/bin/env python3
"""Check-in load against our app's door API, shaped like ../shared/peers/pretix/load.py.

Standard library only (threads + http.client), loopback only, bounded in count and time. One TCP
connection per request (as pretix's driver). Each client thread holds its own device token
(bench/door/peer_fixtures.py issues one per thread) and POSTs /api/v1/accueil/scans with
{"code", "nonce"}: pass 1 = every badge once (must answer 200 checked_in), pass 2 = the same
badges again (must answer 409 already_checked_in). Prints one JSON summary on stdout.
"""
import argparse
import http.client
import ipaddress
import json
import socket
import sys
import threading
import time
import uuid
from urllib.parse import urlparse


def pct(values, p):
    if not values:
        return None
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100.0 * len(s) + 0.5)) - 1))
    return round(s[k] * 1000, 2)


def lat_summary(values):
    return {"n": len(values), "p50_ms": pct(values, 50), "p95_ms": pct(values, 95),
            "p99_ms": pct(values, 99),
            "max_ms": round(max(values) * 1000, 2) if values else None,
            "mean_ms": round(sum(values) / len(values) * 1000, 2) if values else None}


def post(host, port, path, token, body, timeout):
    t0 = time.perf_counter()
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("POST", path, json.dumps(body), {
            "Authorization": f"Bearer {token}", "Content-Type": "application/json",
            "Accept": "application/json", "Connection": "close"})
        r = conn.getresponse()
        raw = r.read()
        return r.status, raw, time.perf_counter() - t0
    except (OSError, http.client.HTTPException) as e:
        return None, f"{type(e).__name__}: {e}", time.perf_counter() - t0
    finally:
        conn.close()


def checkin_pass(base, fx, concurrency, deadline_s, timeout, label):
    u = urlparse(base)
    assert ipaddress.ip_address(socket.gethostbyname(u.hostname)).is_loopback, "loopback only"
    codes, tokens = list(fx["codes"]), fx["tokens"]
    buckets = [codes[i::concurrency] for i in range(concurrency)]
    results, lock, start = [], threading.Lock(), threading.Event()
    stop_at = time.monotonic() + deadline_s

    def run(idx):
        token, local = tokens[idx % len(tokens)], []
        start.wait()
        for code in buckets[idx]:
            if time.monotonic() > stop_at:
                break
            st, raw, dt = post(u.hostname, u.port, "/api/v1/accueil/scans", token,
                               {"code": code, "nonce": uuid.uuid4().hex}, timeout)
            try:
                payload = json.loads(raw) if isinstance(raw, bytes) else None
            except ValueError:
                payload = None
            outcome = (f"{'ok' if payload.get('ok') else 'refused:' + payload.get('code', '?')}"
                       f" ({st})") if isinstance(payload, dict) else f"http_{st}"
            local.append((outcome, st, dt, None if st and st < 500 else str(raw)[:200]))
        with lock:
            results.extend(local)

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(concurrency)]
    for t in threads:
        t.start()
    t0 = time.perf_counter()
    start.set()
    for t in threads:
        t.join(deadline_s + 60)
    wall = time.perf_counter() - t0
    outcomes = {}
    for o, *_ in results:
        outcomes[o] = outcomes.get(o, 0) + 1
    out = {"pass": label, "requests": len(results), "planned": len(codes),
           "wall_s": round(wall, 3),
           "req_per_s": round(len(results) / wall, 1) if wall else None,
           "outcomes": outcomes, "latency": lat_summary([r[2] for r in results])}
    errors = [r[3] for r in results if r[3]][:3]
    if errors:
        out["sample_errors"] = errors
    print(f"[checkin {label}] {out['requests']} req in {out['wall_s']}s -> {out['req_per_s']} "
          f"req/s p50={out['latency']['p50_ms']} p95={out['latency']['p95_ms']} {outcomes}",
          file=sys.stderr)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default="http://127.0.0.1:8100")
    ap.add_argument("--fixtures", required=True)
    ap.add_argument("--concurrency", type=int, default=20)
    ap.add_argument("--max-tickets", type=int, default=2000)
    ap.add_argument("--phase-deadline", type=float, default=240.0)
    ap.add_argument("--timeout", type=float, default=30.0)
    ap.add_argument("--label", default="")
    a = ap.parse_args()
    with open(a.fixtures) as f:
        fx = json.load(f)
    fx["codes"] = fx["codes"][: a.max_tickets]
    t0 = time.perf_counter()
    summary = {"label": a.label, "concurrency": a.concurrency,
               "checkin_first_pass": checkin_pass(a.base, fx, a.concurrency, a.phase_deadline,
                                                  a.timeout, "first"),
               "checkin_second_pass": checkin_pass(a.base, fx, a.concurrency, a.phase_deadline,
                                                   a.timeout, "second")}
    summary["total_s"] = round(time.perf_counter() - t0, 1)
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
