"""Do log-in limits hold with several gunicorn workers behind a proxy? (issue #9, item 13)

Run by hand from the project root (Redis at 127.0.0.1:6379, nothing else needed):

    .venv/bin/python bench/limits/run.py [--attempts 30] [--workers 2]

For each setting it starts a real gunicorn with N workers on a fresh SQLite file, then sends
wrong-password log-ins as a visitor behind one proxy (`X-Forwarded-For`), each on a new
connection so that the workers share them, and prints attempts allowed against the limit
(10 per minute per address). It also shows which worker answered (access log pid).

  production + Redis + PROXY_COUNT=1   two visitors behind the proxy: 10 each, whatever
                                       the worker
  development + memory://              each worker counts on its own: up to 10 × N
  production + memory://               refuses to start
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 10  # AUTH_LIMIT in network/accounts/views.py: "10 per minute;50 per hour"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(env_name: str, storage: str, workers: int, db_path: str, log_path: str):
    port = free_port()
    env = {**os.environ, "NETWORK_ENV": env_name, "SECRET_KEY": secrets.token_hex(32),
           "DATABASE_URL": f"sqlite:///{db_path}", "RATELIMIT_STORAGE_URI": storage,
           "RATELIMIT_KEY_PREFIX": f"bench-{secrets.token_hex(4)}", "PROXY_COUNT": "1",
           "SESSION_COOKIE_SECURE": "0", "MAIL_PREVIEW": "0"}
    subprocess.run([sys.executable, "-c", "from network import create_app\n"
                    "from network.extensions import db\n"
                    "app = create_app()\n"
                    "with app.app_context(): db.create_all()"],
                   env={**env, "NETWORK_ENV": "development"}, cwd=ROOT, check=True)
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
         "--access-logfile", log_path, "--access-logformat", "%(p)s %(s)s %(U)s",
         "network:create_app()"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return proc, None
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/connexion", timeout=10):
                pass
            return proc, f"http://127.0.0.1:{port}"
        except OSError:  # refused, reset or timed out while the workers boot
            time.sleep(0.3)
    proc.terminate()
    proc.wait(timeout=10)
    proc.stderr.close()
    raise RuntimeError("gunicorn did not answer within 30 s")


def attempt(base: str, visitor: str) -> int:
    """GET the log-in form (CSRF token, session cookie), then POST a wrong password."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    headers = {"X-Forwarded-For": visitor, "Connection": "close"}
    with opener.open(urllib.request.Request(f"{base}/connexion", headers=headers),
                     timeout=10) as page:
        html = page.read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    token = token or re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    data = urllib.parse.urlencode({"csrf_token": token.group(1) if token else "",
                                   "email": "personne@example.org",
                                   "password": "pas le bon mot de passe"}).encode()
    request = urllib.request.Request(f"{base}/connexion", data=data, headers=headers)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as err:
        err.close()
        return err.code


def run(env_name: str, storage: str, workers: int, attempts: int, visitors: list[str]):
    with tempfile.TemporaryDirectory() as tmp:
        db_path, log_path = f"{tmp}/bench.db", f"{tmp}/access.log"
        proc, base = start(env_name, storage, workers, db_path, log_path)
        label = f"{env_name:<11} {storage:<28} {workers} workers"
        if base is None:
            error = proc.stderr.read().decode(errors="replace")
            proc.stderr.close()
            reason = re.search(r"RuntimeError: (.*)", error)
            why = reason.group(1)[:120] if reason else error[-200:]
            print(f"{label}: refuses to start ({why})")
            return None
        try:
            results = {}
            for visitor in visitors:
                codes = [attempt(base, visitor) for _ in range(attempts)]
                results[visitor] = codes
        finally:
            proc.terminate()
            proc.wait(timeout=10)
            proc.stderr.close()
        pids = set(re.findall(r"^<?(\d+)>? \d+ /connexion", Path(log_path).read_text(), re.M))
        for visitor, codes in results.items():
            allowed = sum(code != 429 for code in codes)
            print(f"{label}, visitor {visitor}: {allowed} of {attempts} attempts allowed "
                  f"(expected {LIMIT}), answered by {len(pids)} worker processes")
        return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    visitors = ["203.0.113.7", "203.0.113.8"]
    run("production", "redis://127.0.0.1:6379/0", args.workers, args.attempts, visitors)
    run("development", "memory://", args.workers, args.attempts, visitors[:1])
    run("production", "memory://", args.workers, args.attempts, visitors[:1])


if __name__ == "__main__":
    main()
